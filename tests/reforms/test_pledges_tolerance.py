"""告知承诺 and 容缺受理 on the case flow: a pledge stands in for a material, becomes a post-check
at 受理 and, found false, denies the case (or revokes its result) with a credit record; a 容缺
material may be missing at 受理, holds the result back until supplied late, and its deadline
reminds the applicant and alerts the department once each."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from app.reforms.deadlines import scan_once
from models.core import OutboxEvent
from models.reforms import Pledge, ToleratedMaterial
from tests.cases.conftest import GOOD_FORM, MATERIALS, PDF, PNG, make_item, upload

PLEDGE = {"text": "本人承诺所提交的照片为本人近期免冠照片，如有不实愿承担相应法律责任。",
          "version": 2, "check_workdays": 5}


@pytest.fixture(scope="module")
async def clerk(staff: Any) -> Any:
    return await staff(roles=["clerk", "reviewer"], department=f"R{uuid.uuid4().hex[:6]}")


def _with(code: str, **extra: Any) -> list[dict[str, Any]]:
    return [{**m, **extra} if m["code"] == code else m for m in MATERIALS]


async def _draft(api: Any, me: Any, item: dict[str, Any]) -> int:
    r = await api.post("/api/v1/cases", json={"item_code": item["code"], "form": GOOD_FORM},
                       headers=me.headers)
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


async def _events(cid: int, kind: str) -> list[OutboxEvent]:
    return await OutboxEvent.filter(aggregate_id=str(cid), event_type=kind)


async def test_pledge_accepted_then_found_false_denies_and_records_credit(
    api: Any, citizen: Any, clerk: Any, staff: Any
) -> None:
    me = await citizen()
    item = await make_item(clerk.department_id, materials=_with("M02", pledge=PLEDGE))
    cid = await _draft(api, me, item)
    await upload(api, me.headers, cid, "M01", PDF)

    r = await api.post(f"/api/v1/cases/{cid}/submit", headers=me.headers)
    assert r.status_code == 422 and "materials.M02" in r.json()["error"]["fields"]
    r = await api.post(f"/api/v1/cases/{cid}/pledges", headers=me.headers,
                       json={"material_code": "M01", "text_version": 1})
    assert r.status_code == 422 and r.json()["error"]["code"] == "PLEDGE_NOT_ALLOWED"
    r = await api.post(f"/api/v1/cases/{cid}/pledges", headers=me.headers,
                       json={"material_code": "M02", "text_version": 1})
    assert r.status_code == 409 and r.json()["error"]["code"] == "PLEDGE_TEXT_CHANGED"
    assert not await Pledge.filter(case_id=cid).exists()  # nothing half-written
    r = await api.post(f"/api/v1/cases/{cid}/pledges", headers=me.headers,
                       json={"material_code": "M02", "text_version": 2})
    assert r.status_code == 201, r.text
    assert r.json()["status"] == "signed" and r.json()["text"] == PLEDGE["text"]
    again = await api.post(f"/api/v1/cases/{cid}/pledges", headers=me.headers,
                           json={"material_code": "M02", "text_version": 2})
    assert again.status_code == 409 and again.json()["error"]["code"] == "PLEDGE_ALREADY_SIGNED"

    r = await api.post(f"/api/v1/cases/{cid}/submit", headers=me.headers)
    assert r.status_code == 200, r.text
    steps = [e["label"] for e in r.json()["timeline"]]
    assert "签署告知承诺" in steps and r.json()["timeline_intact"]
    r = await api.post(f"/api/v1/staff/cases/{cid}/accept", headers=clerk.headers)
    assert r.status_code == 200, r.text

    queue = (await api.get("/api/v1/staff/post-checks?status=checking",
                           headers=clerk.headers)).json()["items"]
    [check] = [p for p in queue if p["case_id"] == cid]
    assert check["check_due"] and not check["overdue"]
    outsider = await staff(roles=["clerk", "reviewer"], department=f"X{uuid.uuid4().hex[:6]}")
    assert all(p["case_id"] != cid for p in (await api.get(
        "/api/v1/staff/post-checks", headers=outsider.headers)).json()["items"])
    r = await api.post(f"/api/v1/staff/post-checks/{check['id']}/decision",
                       headers=outsider.headers, json={"outcome": "false", "finding": "不实"})
    assert r.status_code == 404

    pledge = await Pledge.get(id=check["id"])
    late = pledge.check_due + timedelta(minutes=1)  # type: ignore[operator]
    assert (await scan_once(now=late))["checks_overdue"] >= 1
    await scan_once(now=late)
    assert len(await _events(cid, "pledge.check_overdue")) == 1

    r = await api.post(f"/api/v1/staff/post-checks/{check['id']}/decision",
                       headers=clerk.headers,
                       json={"outcome": "false", "finding": "照片经比对非申请人本人"})
    assert r.status_code == 200, r.text
    assert r.json()["pledge"]["status"] == "false"
    assert r.json()["pledge"]["consequence"] == "denied"
    r = await api.post(f"/api/v1/staff/post-checks/{check['id']}/decision",
                       headers=clerk.headers, json={"outcome": "confirmed", "finding": "属实"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "POST_CHECK_DONE"
    case = (await api.get(f"/api/v1/cases/{cid}", headers=me.headers)).json()
    assert case["status"] == "denied" and "承诺不实" in case["decision_reason"]

    credit = (await api.get(f"/api/v1/staff/credit-records?person_id={me.person_id}",
                            headers=outsider.headers)).json()["items"]
    assert [c["case_id"] for c in credit] == [cid] and credit[0]["kind"] == "false_pledge"


async def test_false_pledge_after_approval_revokes_the_result(
    api: Any, citizen: Any, clerk: Any
) -> None:
    me = await citizen()
    item = await make_item(clerk.department_id, materials=_with("M02", pledge=PLEDGE))
    cid = await _draft(api, me, item)
    await upload(api, me.headers, cid, "M01", PDF)
    await api.post(f"/api/v1/cases/{cid}/pledges", headers=me.headers,
                   json={"material_code": "M02", "text_version": 2})
    assert (await api.post(f"/api/v1/cases/{cid}/submit", headers=me.headers)).status_code == 200
    for step in ("accept", "approve"):
        r = await api.post(f"/api/v1/staff/cases/{cid}/{step}", headers=clerk.headers, json={})
        assert r.status_code == 200, r.text
    [p] = (await api.get(f"/api/v1/staff/cases/{cid}/reforms",
                         headers=clerk.headers)).json()["pledges"]
    r = await api.post(f"/api/v1/staff/post-checks/{p['id']}/decision", headers=clerk.headers,
                       json={"outcome": "false", "finding": "照片系他人"})
    assert r.status_code == 200, r.text
    assert r.json()["pledge"]["consequence"] == "result_revoked"
    case = (await api.get(f"/api/v1/cases/{cid}", headers=me.headers)).json()
    assert case["timeline"][-1]["label"] == "撤销办理结果" and case["timeline_intact"]
    assert len(await _events(cid, "case.result_revoked")) == 1


async def test_tolerated_material_withholds_the_result_until_supplied_late(
    api: Any, citizen: Any, clerk: Any
) -> None:
    me = await citizen()
    item = await make_item(clerk.department_id,
                           materials=_with("M02", tolerance={"workdays": 3, "hold": "result"}))
    cid = await _draft(api, me, item)
    await upload(api, me.headers, cid, "M01", PDF)
    r = await api.post(f"/api/v1/cases/{cid}/tolerated/M02", headers=me.headers,
                       files={"file": ("p.png", PNG, "image/png")})
    assert r.status_code == 404  # nothing is owed before 受理
    assert (await api.post(f"/api/v1/cases/{cid}/submit", headers=me.headers)).status_code == 200
    r = await api.post(f"/api/v1/staff/cases/{cid}/accept", headers=clerk.headers)
    assert r.status_code == 200 and r.json()["timeline"][-1]["label"] == "容缺受理"
    [owed] = (await api.get(f"/api/v1/cases/{cid}/reforms", headers=me.headers)).json()[
        "tolerated"]
    assert owed["status"] == "outstanding" and owed["material_code"] == "M02"

    assert (await api.post(f"/api/v1/staff/cases/{cid}/approve", headers=clerk.headers,
                           json={})).status_code == 200
    r = await api.post(f"/api/v1/staff/cases/{cid}/issue-result", headers=clerk.headers, json={})
    assert r.status_code == 409 and r.json()["error"]["code"] == "TOLERATED_MATERIALS_OUTSTANDING"

    row = await ToleratedMaterial.get(id=owed["id"])
    await scan_once(now=row.due_at - timedelta(hours=20))
    await scan_once(now=row.due_at - timedelta(hours=20))
    assert len(await _events(cid, "case.tolerance_due_soon")) == 1
    await scan_once(now=row.due_at + timedelta(minutes=1))
    await scan_once(now=row.due_at + timedelta(minutes=1))
    [alert] = await _events(cid, "case.tolerance_overdue")
    assert alert.person_id is None and alert.payload["department_id"] == clerk.department_id

    r = await api.post(f"/api/v1/cases/{cid}/tolerated/M02", headers=me.headers,
                       files={"file": ("p.png", PNG, "image/png")})
    assert r.status_code == 201, r.text
    r = await api.post(f"/api/v1/cases/{cid}/tolerated/M02", headers=me.headers,
                       files={"file": ("p.png", PNG, "image/png")})
    assert r.status_code == 404
    r = await api.post(f"/api/v1/staff/cases/{cid}/issue-result", headers=clerk.headers, json={})
    assert r.status_code == 200, r.text
    labels = [e["label"] for e in r.json()["timeline"]]
    assert "容缺材料补齐" in labels and r.json()["timeline_intact"]
