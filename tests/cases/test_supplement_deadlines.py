"""补正 deadlines: a reminder before, 视为撤回 after one asked before 受理, a department alert
after one asked in review (and 不予许可 from 待补正 then); each once, however often scanned."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from app.cases.supplement_deadlines import EXPIRED_REASON, scan_once
from models.cases import ClockPause, SupplementNotice
from models.core import OutboxEvent
from tests.cases.conftest import filed_case, make_item

DEFECT = {"material_code": "M02", "problem": "照片模糊", "requirement": "提交清晰照片"}


@pytest.fixture(scope="module")
async def clerk(staff: Any) -> Any:
    return await staff(roles=["clerk", "reviewer"], department=f"D{uuid.uuid4().hex[:6]}")


async def _events(cid: int, prefix: str) -> list[str]:
    rows = await OutboxEvent.filter(aggregate_id=str(cid), event_type__startswith=prefix)
    return [e.event_type for e in sorted(rows, key=lambda e: e.id)]


async def _ask(api: Any, clerk: Any, cid: int, workdays: int) -> SupplementNotice:
    r = await api.post(f"/api/v1/staff/cases/{cid}/supplement", headers=clerk.headers,
                       json={"items": [DEFECT], "deadline_workdays": workdays})
    assert r.status_code == 201, r.text
    return await SupplementNotice.get(id=r.json()["id"])


async def test_intake_supplement_reminds_then_is_withdrawn_when_overdue(
    api: Any, citizen: Any, clerk: Any
) -> None:
    me = await citizen()
    cid = (await filed_case(api, me.headers, await make_item(clerk.department_id)))["id"]
    notice = await _ask(api, clerk, cid, 3)
    assert notice.opened_at is not None

    await scan_once(now=notice.opened_at + timedelta(hours=1))
    assert await _events(cid, "case.supplement_due") == []  # the notice itself just told them
    near = notice.deadline - timedelta(hours=30)
    await scan_once(now=near)
    await scan_once(now=near)
    assert await _events(cid, "case.supplement_due") == ["case.supplement_due_soon"]
    reminder = await OutboxEvent.get(aggregate_id=str(cid), event_type="case.supplement_due_soon")
    assert reminder.person_id == me.person_id and reminder.payload["deadline_text"].endswith("日")

    after = notice.deadline + timedelta(minutes=5)
    assert (await scan_once(now=after))["withdrawn"] >= 1
    assert (await scan_once(now=after))["withdrawn"] == 0
    case = (await api.get(f"/api/v1/cases/{cid}", headers=me.headers)).json()
    assert case["status"] == "withdrawn" and case["timeline"][-1]["reason"] == EXPIRED_REASON
    assert case["timeline"][-1]["actor"]["kind"] == "system" and case["timeline_intact"]
    assert (await SupplementNotice.get(id=notice.id)).status == "expired"
    assert not await ClockPause.filter(case_id=cid, ended_at__isnull=True).exists()
    assert await _events(cid, "case.withdrawn") == ["case.withdrawn"]
    r = await api.post(f"/api/v1/cases/{cid}/resubmit", headers=me.headers)
    assert r.status_code == 409


async def test_review_supplement_overdue_alerts_the_department_then_staff_may_deny(
    api: Any, citizen: Any, clerk: Any
) -> None:
    me = await citizen()
    cid = (await filed_case(api, me.headers, await make_item(clerk.department_id)))["id"]
    r = await api.post(f"/api/v1/staff/cases/{cid}/deny", headers=clerk.headers,
                       json={"reason": "逾期未补正"})
    assert r.status_code == 409  # before 受理 there is nothing to deny
    assert (await api.post(f"/api/v1/staff/cases/{cid}/accept", headers=clerk.headers)
            ).status_code == 200
    notice = await _ask(api, clerk, cid, 1)
    after = notice.deadline + timedelta(minutes=5)
    await scan_once(now=after)
    await scan_once(now=after)
    assert await _events(cid, "case.supplement_overdue") == ["case.supplement_overdue"]
    alert = await OutboxEvent.get(aggregate_id=str(cid), event_type="case.supplement_overdue")
    assert alert.person_id is None and alert.payload["department_id"] == clerk.department_id
    fresh = await SupplementNotice.get(id=notice.id)
    assert fresh.status == "open" and fresh.overdue_at is not None  # a late answer is taken
    case = (await api.get(f"/api/v1/cases/{cid}", headers=me.headers)).json()
    assert case["status"] == "supplement_requested"

    r = await api.post(f"/api/v1/staff/cases/{cid}/deny", headers=clerk.headers,
                       json={"reason": "申请人逾期未补正材料"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "denied"
    assert not await ClockPause.filter(case_id=cid, ended_at__isnull=True).exists()


async def test_reminder_window_ends_at_its_bound_on_both_backends(
    api: Any, citizen: Any, clerk: Any
) -> None:
    """The window ends at 23:59:59 Beijing of the second working day: a deadline four hours
    past it is not near yet (SQLite compares times as text, so a +08:00 bound was 8 h wide)."""
    from app import clock
    from app.cases.supplement_deadlines import remind_from

    me = await citizen()
    cid = (await filed_case(api, me.headers, await make_item(clerk.department_id)))["id"]
    notice = await _ask(api, clerk, cid, 10)
    now = notice.opened_at + timedelta(days=1, hours=1)
    bound = remind_from(now)
    await SupplementNotice.filter(id=notice.id).update(
        deadline=clock.utc(bound + timedelta(hours=4)))
    await scan_once(now=now)
    assert await _events(cid, "case.supplement_due") == []
    await SupplementNotice.filter(id=notice.id).update(
        deadline=clock.utc(bound - timedelta(hours=4)))
    await scan_once(now=now)
    assert await _events(cid, "case.supplement_due") == ["case.supplement_due_soon"]
