"""电子监察 figures: what the API answers equals what the recorded events say, whether a day
is worked out live or read from the daily rollup; exports carry the same numbers; supervisors
see every department, others their own (another one 404), a clerk none (403)."""

from __future__ import annotations

import csv
import io
import uuid
from collections import Counter
from datetime import timedelta
from typing import Any

import pytest
from openpyxl import load_workbook

from app import clock
from app.cases.alerts import scan_once
from app.supervision.rollup import roll_day, roll_pending, today
from bench.supervision_data import Plan, generate
from models.cases import Case, CaseEvent
from models.supervision import DailyFigures, RolledDay
from tests.cases.conftest import make_item
from tests.cases.test_staff_flow import DEFECT, answer_all
from tests.handling.conftest import act, new_case

URL = "/api/v1/staff/supervision"


@pytest.fixture(scope="module")
async def people(staff: Any) -> dict[str, Any]:
    dept, other = f"J{uuid.uuid4().hex[:6]}", f"K{uuid.uuid4().hex[:6]}"
    return {
        "clerk": await staff(roles=["clerk"], department=dept),
        "reviewer": await staff(roles=["reviewer"], department=dept),
        "supervisor": await staff(roles=["supervisor"], department=other),
        "other_reviewer": await staff(roles=["reviewer"], department=other),
    }


async def _figures(api: Any, who: Any, **params: Any) -> Any:
    return await api.get(f"{URL}/figures", headers=who.headers, params=params)


async def _age(case_id: int, days: int) -> None:
    await Case.filter(id=case_id).update(accepted_at=clock.now() - timedelta(days=days))


async def test_todays_figures_live_and_rolled_up(
    api: Any, citizen: Any, people: dict[str, Any]
) -> None:
    clerk, reviewer = people["clerk"], people["reviewer"]
    team = {"clerk": clerk}
    item = await make_item(clerk.department_id, promised_limit_days=5)
    made = [await new_case(api, citizen, team) for _ in range(4)]
    done, refused, supplemented, late = (m["id"] for m in made)
    running = (await new_case(api, citizen, team))["id"]
    for cid in (done, late, running):
        assert (await act(api, clerk, f"cases/{cid}/accept")).status_code == 200
    await act(api, reviewer, f"cases/{done}/approve", {})
    await act(api, clerk, f"cases/{done}/issue-result", {})
    assert (await act(api, clerk, f"cases/{done}/complete", {})).json()["status"] == "completed"
    await act(api, clerk, f"cases/{refused}/refuse", {"reason": "不属于本部门职权范围"})
    await act(api, clerk, f"cases/{supplemented}/supplement", {"items": [DEFECT]})
    await answer_all(api, made[2]["me"], supplemented)
    await act(api, clerk, f"cases/{supplemented}/accept")
    await _age(late, 40)
    r = await act(api, reviewer, f"cases/{late}/deny", {"reason": "超过期限仍不符合条件"})
    assert r.json()["timeline"][-1]["data"]["clock"]["late"] is True
    await _age(running, 40)
    await scan_once()
    del item  # the cases use new_case's own items; all of one department

    day = today().isoformat()
    r = await _figures(api, people["supervisor"], start=day, end=day,
                       department_id=clerk.department_id)
    assert r.status_code == 200, r.text
    live = r.json()
    assert live["live_days"] == 1 and live["final_days"] == 0
    [row] = live["rows"]
    expected = {"received": 5, "accepted": 4, "refused": 1, "approved": 1, "denied": 1,
                "completed": 1, "decided": 2, "decided_on_time": 1, "decided_late": 1,
                "on_time_rate": 0.5, "supplemented": 1, "supplement_rate": 0.2,
                "second_supplements": 0, "overdue_now": 1, "overdue_ever": 2}
    assert {k: row[k] for k in expected} == expected
    assert row["avg_days_promised"] == 5 and row["avg_days_used"] > 5
    assert row["department_name"].startswith("测试部门")
    by_item = (await _figures(api, reviewer, start=day, end=day, by="item")).json()
    assert sum(r["received"] for r in by_item["rows"]) == 5
    assert all(r["item_name"] for r in by_item["rows"])

    await roll_day(today())
    try:
        rolled = (await _figures(api, people["supervisor"], start=day, end=day,
                                 department_id=clerk.department_id)).json()
        assert rolled["final_days"] == 1 and rolled["live_days"] == 0
        assert rolled["rows"] == live["rows"]
    finally:  # today goes on: leave it to be worked out live for the other tests
        await DailyFigures.filter(day=today()).delete()
        await RolledDay.filter(day=today()).delete()


async def test_scope_and_roles(api: Any, people: dict[str, Any]) -> None:
    mine = people["reviewer"].department_id
    r = await _figures(api, people["other_reviewer"], department_id=mine)
    assert r.status_code == 404 and r.json()["error"]["code"] == "DEPARTMENT_NOT_FOUND"
    r = await _figures(api, people["other_reviewer"])
    assert r.status_code == 200
    assert {row["department_id"] for row in r.json()["rows"]} <= {
        people["other_reviewer"].department_id}
    for path in ("figures", "daily", "export"):
        r = await api.get(f"{URL}/{path}", headers=people["clerk"].headers)
        assert r.status_code == 403, path
    r = await _figures(api, people["supervisor"], start="2026-05-02", end="2026-05-01")
    assert r.status_code == 422
    r = await _figures(api, people["supervisor"], start="2020-01-01", end="2026-01-01")
    assert r.status_code == 422


async def test_rollup_of_a_generated_data_set_equals_a_plain_count(
    api: Any, people: dict[str, Any]
) -> None:
    from tortoise import Tortoise

    end = today() - timedelta(days=3)
    plan = Plan(cases=400, end=end, days=12, departments=3, items_per_department=3,
                tag=f"G{uuid.uuid4().hex[:5]}")
    made = await generate(Tortoise.get_connection("default"), plan)
    assert made.cases == 400
    assert await roll_pending() >= 12
    start = end - timedelta(days=plan.days - 1)
    depts = made.department_ids
    r = await _figures(api, people["supervisor"], start=start.isoformat(), end=end.isoformat())
    result = r.json()
    assert result["live_days"] == 0 and result["final_days"] == (end - start).days + 1
    rows = {row["department_id"]: row for row in result["rows"] if row["department_id"] in depts}

    lo, hi = _bounds(start, end)
    plain: dict[int, Counter[str]] = {d: Counter() for d in depts}
    events = await CaseEvent.filter(case__department_id__in=depts, at__gte=lo, at__lt=hi).values(
        "from_status", "to_status", "data", "case__department_id")
    for e in events:
        c = plain[e["case__department_id"]]
        if e["from_status"] == "draft":
            c["received"] += 1
        elif e["to_status"] in ("accepted", "refused", "approved", "denied", "completed",
                                "withdrawn"):
            c[e["to_status"]] += 1
            if e["to_status"] in ("approved", "denied"):
                c["decided_late" if e["data"]["clock"]["late"] else "decided_on_time"] += 1
        elif e["to_status"] == "supplement_requested":
            c["supplemented" if e["data"]["round"] == 1 else "second_supplements"] += 1
    for dept in depts:
        got = {k: rows[dept][k] for k in plain[dept]} if dept in rows else {}
        assert got == dict(plain[dept]), dept
    assert sum(c["received"] for c in plain.values()) >= 350  # most were filed in the range

    by_item = (await _figures(api, people["supervisor"], start=start.isoformat(),
                              end=end.isoformat(), by="item")).json()
    for dept in depts:
        items = [r for r in by_item["rows"] if r["department_id"] == dept]
        assert sum(r["received"] for r in items) == rows[dept]["received"]
    series = (await api.get(f"{URL}/daily", headers=people["supervisor"].headers, params={
        "start": start.isoformat(), "end": end.isoformat(), "department_id": depts[0]})).json()
    assert sum(d["received"] for d in series["days"]) == rows[depts[0]]["received"]
    assert len(series["days"]) == plan.days

    params = {"start": start.isoformat(), "end": end.isoformat(), "department_id": depts[0]}
    r = await api.get(f"{URL}/export", headers=people["supervisor"].headers,
                      params={**params, "format": "csv"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["部门", "收件", "受理"]
    assert int(table[1][1]) == rows[depts[0]]["received"] and table[-1][0] == "合计"
    r = await api.get(f"{URL}/export", headers=people["supervisor"].headers,
                      params={**params, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet is not None
    assert sheet.cell(row=3, column=2).value == rows[depts[0]]["received"]
    assert sheet.cell(row=3, column=1).value == rows[depts[0]]["department_name"]


def _bounds(start: Any, end: Any) -> tuple[Any, Any]:
    """In UTC: on SQLite tortoise compares an aware datetime's text as given, offset and all."""
    from datetime import UTC

    from app.supervision.rollup import bounds

    return bounds(start)[0].astimezone(UTC), bounds(end)[1].astimezone(UTC)


async def test_ratings_and_complaints_count(
    api: Any, citizen: Any, staff: Any, people: dict[str, Any]
) -> None:
    from tests.feedback.support import RATE_BAD, RATE_GOOD, completed_case, department

    dept = await department(staff)
    for rating in (RATE_BAD, RATE_GOOD):
        me = await citizen()
        case = await completed_case(api, me.headers, dept)
        r = await api.post(f"/api/v1/cases/{case['id']}/rating", json=rating, headers=me.headers)
        assert r.status_code == 201, r.text
    r = await api.post("/api/v1/tickets", headers=me.headers, json={
        "type": "complaint", "subject": "窗口排队太久", "text": "等了两个小时", "item_code":
        dept.item["code"]})
    assert r.status_code == 201, r.text
    day = today().isoformat()
    r = await _figures(api, people["supervisor"], start=day, end=day, department_id=dept.id)
    [row] = r.json()["rows"]
    assert (row["ratings"], row["ratings_bad"], row["complaints"]) == (2, 1, 1)
    assert row["satisfaction_rate"] == 0.5 and row["avg_rating"] == 3.5
    assert row["completed"] == 2 and row["decided_on_time"] == 2
