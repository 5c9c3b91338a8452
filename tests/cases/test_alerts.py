"""Clock alerts: a running case that turns yellow, then red, is alerted once per colour."""

from __future__ import annotations

import uuid
from datetime import datetime, time
from typing import Any

from app import clock
from app.cases.alerts import scan_once
from app.cases.workdays import get_calendar
from models.cases import Case
from models.core import OutboxEvent
from tests.cases.conftest import filed_case, make_item


def noon_after(workdays: int) -> datetime:
    day = get_calendar().add_workdays(clock.local(clock.now()).date(), workdays)
    return datetime.combine(day, time(12), tzinfo=clock.SHANGHAI)


async def test_yellow_then_red_once_each(api: Any, citizen: Any, staff: Any) -> None:
    clerk = await staff(roles=["clerk"], department=f"A{uuid.uuid4().hex[:6]}")
    me = await citizen()
    cid = (await filed_case(api, me.headers, await make_item(clerk.department_id)))["id"]
    r = await api.post(f"/api/v1/staff/cases/{cid}/accept", headers=clerk.headers)
    assert r.status_code == 200

    async def alerts() -> list[tuple[str, str]]:
        rows = await OutboxEvent.filter(aggregate_id=str(cid), event_type__startswith="case.clock_")
        return [(e.event_type, e.priority) for e in sorted(rows, key=lambda e: e.id)]

    await scan_once(now=noon_after(1))
    assert await alerts() == []  # 1 of 5 working days: green
    await scan_once(now=noon_after(4))
    await scan_once(now=noon_after(4))
    assert await alerts() == [("case.clock_yellow", "normal")]
    await scan_once(now=noon_after(7))
    assert await alerts() == [("case.clock_yellow", "normal"), ("case.clock_red", "critical")]
    await scan_once(now=noon_after(9))
    assert len(await alerts()) == 2
    assert (await Case.get(id=cid)).clock_alert == "red"
    event = await OutboxEvent.filter(aggregate_id=str(cid), event_type="case.clock_red").get()
    assert event.person_id is None and event.payload["department_id"] == clerk.department_id
