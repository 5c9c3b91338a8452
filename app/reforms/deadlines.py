"""Deadlines of the reforms, on the 补正 deadline machinery's terms (the same reminder window,
``app.cases.supplement_deadlines.remind_from``, and the same once-only conditional updates):

- a 容缺 material due within the window: the applicant is reminded once
  (``case.tolerance_due_soon``);
- one still missing past its deadline: the department is alerted once
  (``case.tolerance_overdue``), staff decide what follows;
- a post-check (事后核查) not concluded by its deadline: the department is alerted once
  (``pledge.check_overdue``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from app import clock
from app.cases.supplement_deadlines import remind_from
from app.outbox import emit
from app.periodic import under_lease
from models.cases import Case
from models.reforms import Pledge, PledgeStatus, ToleranceStatus, ToleratedMaterial

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 600
LEASE = "lease:reform-deadlines"


def _date_text(at: datetime) -> str:
    local = clock.local(at)
    return f"{local.year}年{local.month}月{local.day}日"


async def scan_once(now: datetime | None = None, batch: int = 200) -> dict[str, int]:
    now = now or clock.now()
    done = {"reminded": 0, "tolerance_overdue": 0, "checks_overdue": 0}
    for t in await ToleratedMaterial.filter(
        status=ToleranceStatus.outstanding, reminded_at__isnull=True, due_at__gt=now,
        due_at__lte=remind_from(now),
    ).order_by("id").limit(batch):
        done["reminded"] += await _tolerance(t, now, overdue=False)
    for t in await ToleratedMaterial.filter(
        status=ToleranceStatus.outstanding, overdue_at__isnull=True, due_at__lte=now,
    ).order_by("id").limit(batch):
        done["tolerance_overdue"] += await _tolerance(t, now, overdue=True)
    for p in await Pledge.filter(
        status=PledgeStatus.checking, overdue_at__isnull=True, check_due__lte=now,
    ).order_by("id").limit(batch):
        done["checks_overdue"] += await _check_overdue(p, now)
    return done


async def _tolerance(t: ToleratedMaterial, now: datetime, *, overdue: bool) -> int:
    stamp = {"overdue_at": now} if overdue else {"reminded_at": now}
    async with in_transaction() as conn:
        won = await ToleratedMaterial.filter(
            id=t.id, status=ToleranceStatus.outstanding,
            **{f"{next(iter(stamp))}__isnull": True},
        ).using_db(conn).update(**stamp)
        case = await Case.get_or_none(id=t.case_id, using_db=conn)
        if not won or case is None:
            return 0
        payload = {"case_id": case.id, "case_no": case.number, "item_name": case.item_name,
                   "material_name": t.material_name, "deadline": clock.iso(t.due_at),
                   "deadline_text": _date_text(t.due_at)}
        if overdue:
            await emit("case.tolerance_overdue", aggregate="case", aggregate_id=str(case.id),
                       payload={**payload, "department_id": t.department_id}, connection=conn)
        else:
            await emit("case.tolerance_due_soon", aggregate="case", aggregate_id=str(case.id),
                       payload=payload, person_id=case.person_id, connection=conn)
    return 1


async def _check_overdue(p: Pledge, now: datetime) -> int:
    async with in_transaction() as conn:
        won = await Pledge.filter(id=p.id, status=PledgeStatus.checking,
                                  overdue_at__isnull=True).using_db(conn).update(overdue_at=now)
        case = await Case.get_or_none(id=p.case_id, using_db=conn)
        if not won or case is None or p.check_due is None:
            return 0
        await emit("pledge.check_overdue", aggregate="case", aggregate_id=str(case.id),
                   payload={"case_id": case.id, "case_no": case.number,
                            "item_name": case.item_name, "pledge_id": p.id,
                            "material_name": p.material_name, "department_id": p.department_id,
                            "deadline": clock.iso(p.check_due),
                            "deadline_text": _date_text(p.check_due)},
                   connection=conn)
    return 1


async def run(app: Any) -> None:
    """Background task (``app/wiring.py``): every ten minutes, the lease holder scans."""
    await under_lease(app, lease=LEASE, interval=INTERVAL_SECONDS, job=_scan_and_log,
                      name="reform deadline scan")


async def _scan_and_log() -> None:
    done = await scan_once()
    if any(done.values()):
        log.info("reform deadlines handled", extra=done)
