"""Clock alerts for the handling department and supervision: once a running case turns yellow
(≥ 80 % of its promised limit used) or red (overdue), emit ``case.clock_yellow`` /
``case.clock_red`` to the outbox, once per colour. ``case.clock_alert`` remembers the last colour
alerted, and the conditional update makes a second runner (or a rerun) a no-op."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from app.cases.clocks import PauseSpan, compute
from app.cases.queries import RUNNING
from app.outbox import emit
from app.periodic import under_lease
from models.cases import Case, ClockPause

log = logging.getLogger(__name__)
RANK = {"": 0, "green": 0, "yellow": 1, "red": 2}
INTERVAL_SECONDS = 600
LEASE = "lease:case-clock-alerts"


async def scan_once(now: datetime | None = None, batch: int = 500) -> int:
    """Alert every running case whose colour got worse; answer how many alerts were sent."""
    sent, last_id = 0, 0
    while True:
        cases = await Case.filter(
            id__gt=last_id, status__in=list(RUNNING), accepted_at__isnull=False,
            decided_at__isnull=True,
        ).exclude(clock_alert="red").order_by("id").limit(batch)
        if not cases:
            return sent
        last_id = cases[-1].id
        pauses: dict[int, list[ClockPause]] = {c.id: [] for c in cases}
        for p in await ClockPause.filter(case_id__in=list(pauses)).order_by("id"):
            pauses[p.case_id].append(p)
        for case in cases:
            sent += await _check(case, pauses[case.id], now)


async def _check(case: Case, pauses: list[ClockPause], now: datetime | None) -> int:
    view = compute(
        accepted_at=case.accepted_at, decided_at=None,
        promised_limit_days=case.promised_limit_days, legal_limit_days=case.legal_limit_days,
        pauses=[PauseSpan(p.kind, p.name, p.started_at, p.ended_at) for p in pauses], now=now,
    )
    if RANK[view.colour] <= RANK[case.clock_alert]:
        return 0
    async with in_transaction() as conn:
        won = await Case.filter(id=case.id, clock_alert=case.clock_alert).using_db(conn).update(
            clock_alert=view.colour
        )
        if not won:
            return 0
        await emit(
            f"case.clock_{view.colour}", aggregate="case", aggregate_id=str(case.id),
            payload={"case_id": case.id, "case_no": case.number, "item_name": case.item_name,
                     "department_id": case.department_id, "colour": view.colour,
                     "days_used": view.days_used,
                     "promised_due": view.promised_due.isoformat() if view.promised_due else None},
            connection=conn,
        )
    return 1


async def run(app: Any) -> None:
    """Background task (``app/wiring.py``): every ten minutes, the lease holder scans."""
    await under_lease(app, lease=LEASE, interval=INTERVAL_SECONDS, job=_scan_and_log,
                      name="case clock alerts")


async def _scan_and_log() -> None:
    if sent := await scan_once():
        log.info("case clock alerts sent", extra={"count": sent})
