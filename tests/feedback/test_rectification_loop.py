"""差评 → 整改 → 回访 on the clock: the invitation after 办结, the 差评 opening a 15-working-day
rectification for the department (alerted, reported), yellow and red once each, the reply
reaching the citizen, the re-rating closing it, and everything in the province's records."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from app import clock
from app.ratings import rectifications
from models.core import OutboxEvent
from models.push import InboxMessage, StaffAlert
from models.ratings import Rating, Rectification
from tests.feedback.support import (
    RATE_BAD,
    completed_case,
    department,
    drain,
    send_jobs,
    workday_noon,
)


async def _inbox(person_id: int, category: str) -> list[InboxMessage]:
    return list(await InboxMessage.filter(person_id=person_id, category=category).order_by("id"))


async def test_the_whole_loop(api: Any, citizen: Any, staff: Any, server: Any,
                              sims: Any) -> None:
    dept, other, me = await department(staff), await department(staff), await citizen()
    case = await completed_case(api, me.headers, dept)
    await drain(server)
    [invite] = await _inbox(me.person_id, "rating.invited")
    assert invite.link == f"/cases/{case['id']}/rate" and "欢迎对本次服务作出评价" in invite.body

    r = await api.post(f"/api/v1/cases/{case['id']}/rating", json=RATE_BAD, headers=me.headers)
    assert r.status_code == 201
    fix = await Rectification.get(rating__case_id=case["id"])
    opened = clock.local(fix.opened_at)
    assert fix.limit_days == 15 and fix.state == "open"
    assert fix.due_date == workday_noon(15, fix.opened_at).date()
    held = sims["haocp"].app["state"]["evaluations"].values()
    assert not any(e["projectNo"] == case["number"] for e in held)  # not inside the request

    # the department is alerted; another department sees nothing of it
    await drain(server)
    [alert] = [a for a in await StaffAlert.filter(kind="rectification.opened",
                                                  department_id=dept.id)
               if a.data.get("rectification_id") == fix.id]
    assert f"{fix.due_date:%Y年%m月%d日}" in alert.body and case["number"] in alert.body
    listed = await api.get("/api/v1/staff/rectifications", headers=dept.clerk.headers)
    assert [f["id"] for f in listed.json()["items"]] == [fix.id]
    assert (await api.get("/api/v1/staff/rectifications", headers=other.clerk.headers)
            ).json()["items"] == []
    r = await api.post(f"/api/v1/staff/rectifications/{fix.id}/reply",
                       json={"measures": "x" * 3, "reply": "y" * 3}, headers=other.clerk.headers)
    assert r.status_code == 404

    # the clock: yellow at 80 % of 15 working days (day 12), red after day 15, once each
    async def clock_events() -> list[str]:
        rows = await OutboxEvent.filter(aggregate="rectification", aggregate_id=str(fix.id))
        return sorted(e.event_type for e in rows)

    await rectifications.scan_overdue(now=workday_noon(11, opened))
    assert await clock_events() == []
    await rectifications.scan_overdue(now=workday_noon(12, opened))
    await rectifications.scan_overdue(now=workday_noon(13, opened))
    assert await clock_events() == ["rectification.clock_yellow"]
    await rectifications.scan_overdue(now=workday_noon(16, opened))
    await rectifications.scan_overdue(now=workday_noon(17, opened))
    assert await clock_events() == ["rectification.clock_red", "rectification.clock_yellow"]
    await drain(server)
    assert await StaffAlert.filter(kind="rectification.clock_red", department_id=dept.id,
                                   case_id=case["id"]).count() == 1

    # the reply: recorded, told to the citizen (回访), who re-rates
    r = await api.post(f"/api/v1/staff/rectifications/{fix.id}/reply",
                       json={"measures": "窗口增设导办员，优化办理流程",
                             "reply": "感谢您的反馈，我们已增设导办员并优化流程。"},
                       headers=dept.clerk.headers)
    assert r.status_code == 200, r.text
    assert r.json()["state"] == "replied" and r.json()["clock"]["running"] is False
    again = await api.post(f"/api/v1/staff/rectifications/{fix.id}/reply",
                           json={"measures": "再次", "reply": "再次"}, headers=dept.clerk.headers)
    assert again.status_code == 409
    await drain(server)
    [revisit] = await _inbox(me.person_id, "rectification.replied")
    assert revisit.link == f"/cases/{case['id']}/rate"
    mine = (await api.get(f"/api/v1/cases/{case['id']}/rating", headers=me.headers)).json()
    assert mine["can_rerate"] and mine["rectification"]["reply"].startswith("感谢您的反馈")
    assert "measures" not in mine["rectification"]  # the department's own notes stay its own
    r = await api.put(f"/api/v1/cases/{case['id']}/rating",
                      json={"level": 4, "tags": ["按时办结"]}, headers=me.headers)
    assert r.status_code == 200, r.text
    assert r.json()["rectification"]["outcome"] == "satisfied" and not r.json()["can_rerate"]
    assert (await api.put(f"/api/v1/cases/{case['id']}/rating", json={"level": 5},
                          headers=me.headers)).status_code == 409

    # the province holds the evaluation (both versions) and every step of the rectification
    await send_jobs(server)
    state = sims["haocp"].app["state"]
    rating = await Rating.get(case_id=case["id"])
    held = state["evaluations"][f"ZSB-{rating.id}"]
    assert (held["version"], held["level"], held["versionType"]) == (1, 4, "follow_up")
    steps = [d["state"] for d in state["rectifications"][f"ZSB-Z{fix.id}"]]
    assert sorted(steps) == ["closed", "open", "replied"]
    closed = next(d for d in state["rectifications"][f"ZSB-Z{fix.id}"] if d["state"] == "closed")
    assert closed["outcome"] == "satisfied" and closed["measures"].startswith("窗口增设")


async def test_unanswered_revisit_closes_by_itself(api: Any, citizen: Any, staff: Any) -> None:
    dept, me = await department(staff), await citizen()
    case = await completed_case(api, me.headers, dept)
    await api.post(f"/api/v1/cases/{case['id']}/rating", json=RATE_BAD, headers=me.headers)
    fix = await Rectification.get(rating__case_id=case["id"])
    r = await api.post(f"/api/v1/staff/rectifications/{fix.id}/reply",
                       json={"measures": "已整改", "reply": "已整改"}, headers=dept.clerk.headers)
    assert r.status_code == 200
    await rectifications.expire_revisits(now=clock.now() + timedelta(days=14))
    assert (await Rectification.get(id=fix.id)).state == "replied"
    await rectifications.expire_revisits(now=clock.now() + timedelta(days=16))
    fix = await Rectification.get(id=fix.id)
    assert (fix.state, fix.outcome) == ("closed", "no_response")
    r = await api.put(f"/api/v1/cases/{case['id']}/rating", json={"level": 3, "tags": []},
                      headers=me.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "RATING_LOCKED"


async def test_supervision_sees_overdue_rectifications(api: Any, citizen: Any, staff: Any
                                                       ) -> None:
    dept, me = await department(staff), await citizen()
    supervisor = await staff(roles=["supervisor"], department=dept.code)
    case = await completed_case(api, me.headers, dept)
    await api.post(f"/api/v1/cases/{case['id']}/rating", json=RATE_BAD, headers=me.headers)
    fix = await Rectification.get(rating__case_id=case["id"])
    await Rectification.filter(id=fix.id).update(opened_at=clock.now() - timedelta(days=40))
    overdue = await api.get("/api/v1/staff/supervision/rectifications", headers=supervisor.headers)
    assert [f["id"] for f in overdue.json()["items"]] == [fix.id]
    assert overdue.json()["items"][0]["clock"]["colour"] == "red"
    figures = (await api.get("/api/v1/staff/supervision/ratings", headers=supervisor.headers)
               ).json()["departments"]
    [mine] = [d for d in figures if d["department_id"] == dept.id]
    assert (mine["bad"], mine["counted"], mine["rectifications"]["overdue"]) == (1, 1, 1)
    assert mine["good_rate"] == 0.0 and mine["rectified_rate"] == 0.0
    denied = await api.get("/api/v1/staff/supervision/ratings", headers=dept.clerk.headers)
    assert denied.status_code == 403
