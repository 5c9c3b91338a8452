"""Helpers for the 好差评 and 12345 tests: a department with its staff, a case driven to 办结
through the staff API, the outbox drained, outbound jobs sent, days on the working calendar."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

import httpx

from app import clock, outbound
from app.cases.workdays import get_calendar
from push.dispatcher import Dispatcher
from push.worker import notifier_lookup
from tests.cases.conftest import filed_case, make_item


@dataclass
class Dept:
    code: str
    id: int
    clerk: Any  # clerk + reviewer: moves a case from 受理 to 办结
    item: dict[str, Any]


async def department(staff: Any, *, roles: tuple[str, ...] = ("clerk", "reviewer")) -> Dept:
    code = f"F{uuid.uuid4().hex[:7].upper()}"
    clerk = await staff(roles=list(roles), department=code)
    return Dept(code, clerk.department_id, clerk, await make_item(clerk.department_id))


async def completed_case(api: httpx.AsyncClient, headers: dict[str, str], dept: Dept
                         ) -> dict[str, Any]:
    case = await filed_case(api, headers, dept.item)
    cid, h = case["id"], dept.clerk.headers
    steps = (("accept", None), ("review", None), ("approve", {"reason": "符合条件"}),
             ("issue-result", {"note": "证件已制作"}), ("complete", {"reason": "已领取"}))
    for path, body in steps:
        r = await api.post(f"/api/v1/staff/cases/{cid}/{path}", json=body, headers=h)
        assert r.status_code == 200, (path, r.text)
    return r.json()


def dispatcher(server: Any) -> Dispatcher:
    return Dispatcher(notifier_lookup(server.app.ctx.edges), server.app.ctx.kv, quiet_hours="",
                      idle=0.02)


async def drain(server: Any) -> None:
    """Every outbox event expanded (notifications, staff alerts, platform jobs); deliveries
    are left alone."""
    d = dispatcher(server)
    while await d.expand_once():
        pass


async def send_jobs(server: Any, *, now: datetime | None = None) -> int:
    """Outbox drained, then every due outbound job sent once."""
    await drain(server)
    return await outbound.run_once(server.app.ctx.edges, worker="test", now=now)


def workday_noon(workdays: int, start: datetime | None = None) -> datetime:
    """Noon (Shanghai) of the n-th working day after ``start`` (default: today)."""
    first = clock.local(start or clock.now()).date()
    day = get_calendar().add_workdays(first, workdays)
    return datetime.combine(day, time(12), tzinfo=clock.SHANGHAI)


RATE_BAD = {"level": 2, "tags": ["办理时间长"], "comment": "等了很久才办好"}
RATE_GOOD = {"level": 5, "tags": ["办理速度快"]}
