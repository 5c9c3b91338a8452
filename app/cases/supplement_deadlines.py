"""What happens as a 补正 deadline nears and passes.

- ``REMIND_WORKDAYS`` working days before the deadline the applicant is reminded once
  (``case.supplement_due_soon``).
- A 补正 asked before 受理 and left unanswered past its deadline is 视为撤回申请: the case moves to
  ``withdrawn`` by the system, which notifies the applicant like any move.
- One asked after 受理 is not decided by a machine: the handling department is alerted once
  (``case.supplement_overdue``, no person) and may 不予许可 (``denied``) from 待补正; until it
  acts a late answer is still taken.

Each step is a conditional update of the notice (``reminded_at`` / ``overdue_at`` still empty,
``status`` still open), so a second runner or a rerun does nothing twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta
from typing import Any

from tortoise.transactions import in_transaction

from app import clock
from app.cases.transitions import SYSTEM, transition
from app.cases.workdays import get_calendar
from app.outbox import emit
from app.periodic import under_lease
from models.cases import Case, CaseStatus, SupplementNotice

log = logging.getLogger(__name__)

REMIND_WORKDAYS = 2
INTERVAL_SECONDS = 600
LEASE = "lease:supplement-deadlines"
EXPIRED_REASON = "逾期未补正，视为撤回申请"


def remind_from(now: datetime) -> datetime:
    """Deadlines up to the end of the ``REMIND_WORKDAYS``-th working day from today are near."""
    day = get_calendar().add_workdays(clock.local(now).date(), REMIND_WORKDAYS)
    return clock.local_at(day, time(23, 59, 59))


async def scan_once(now: datetime | None = None, batch: int = 200) -> dict[str, int]:
    now = now or clock.now()
    done = {"reminded": 0, "withdrawn": 0, "alerted": 0}
    # a notice opened within the last day told the deadline itself
    for notice in await SupplementNotice.filter(
        status="open", reminded_at__isnull=True, deadline__gt=now,
        deadline__lte=remind_from(now), opened_at__lte=now - timedelta(days=1),
    ).order_by("id").limit(batch):
        done["reminded"] += await _remind(notice, now)
    for notice in await SupplementNotice.filter(
        status="open", overdue_at__isnull=True, deadline__lte=now
    ).order_by("id").limit(batch):
        outcome = await _expire(notice, now)
        if outcome:
            done[outcome] += 1
    return done


async def _remind(notice: SupplementNotice, now: datetime) -> int:
    async with in_transaction() as conn:
        won = await SupplementNotice.filter(
            id=notice.id, status="open", reminded_at__isnull=True
        ).using_db(conn).update(reminded_at=now)
        case = await Case.get_or_none(id=notice.case_id, using_db=conn)
        if not won or case is None or case.status != CaseStatus.supplement_requested:
            return 0
        await emit(
            "case.supplement_due_soon", aggregate="case", aggregate_id=str(case.id),
            payload=_payload(case, notice), person_id=case.person_id, connection=conn,
        )
    return 1


async def _expire(notice: SupplementNotice, now: datetime) -> str | None:
    async with in_transaction() as conn:
        # the case row first, as an answer or a resubmit takes it, then the notice
        case = await Case.select_for_update().using_db(conn).get_or_none(id=notice.case_id)
        won = await SupplementNotice.filter(
            id=notice.id, status="open", overdue_at__isnull=True
        ).using_db(conn).update(overdue_at=now)
        if not won or case is None or case.status != CaseStatus.supplement_requested:
            return None
        if case.accepted_at is None:
            await SupplementNotice.filter(id=notice.id).using_db(conn).update(status="expired")
            await transition(case, CaseStatus.withdrawn, actor=SYSTEM, reason=EXPIRED_REASON,
                             data={"notice_id": notice.id, "overdue": True}, connection=conn)
            return "withdrawn"
        await emit(
            "case.supplement_overdue", aggregate="case", aggregate_id=str(case.id),
            payload={**_payload(case, notice), "department_id": case.department_id},
            connection=conn,
        )
        return "alerted"


def _payload(case: Case, notice: SupplementNotice) -> dict[str, Any]:
    local = clock.local(notice.deadline)
    return {"case_id": case.id, "case_no": case.number, "item_name": case.item_name,
            "notice_id": notice.id, "deadline": clock.iso(notice.deadline),
            "deadline_text": f"{local.year}年{local.month}月{local.day}日"}


async def run(app: Any) -> None:
    """Background task (``app/wiring.py``): every ten minutes, the lease holder scans."""
    await under_lease(app, lease=LEASE, interval=INTERVAL_SECONDS, job=_scan_and_log,
                      name="supplement deadline scan")


async def _scan_and_log() -> None:
    done = await scan_once()
    if any(done.values()):
        log.info("supplement deadlines handled", extra=done)
