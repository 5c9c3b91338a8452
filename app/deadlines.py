"""Deadlines in working days for what is not a case (a 差评整改, a 12345 ticket), on the case
clock: the same calendar, the same counting (from the day after the start), the same colours
(yellow at 80 % of the limit used, red once overdue), and an alert once per colour."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from tortoise.models import Model
from tortoise.transactions import in_transaction

from app import clock
from app.cases import clocks
from app.outbox import emit

RANK = {"": 0, "green": 0, "yellow": 1, "red": 2}


def view(started_at: datetime, limit_days: int, *, stopped_at: datetime | None = None,
         now: datetime | None = None) -> clocks.ClockView:
    return clocks.compute(accepted_at=started_at, decided_at=stopped_at,
                          promised_limit_days=limit_days, legal_limit_days=limit_days,
                          pauses=[], now=now)


def due_date(started_at: datetime, limit_days: int) -> date:
    due = view(started_at, limit_days, stopped_at=started_at).promised_due
    assert due is not None  # a started clock always has one
    return due


def summary(started_at: datetime | None, limit_days: int, *, stopped_at: datetime | None = None,
            now: datetime | None = None) -> dict[str, Any] | None:
    if started_at is None:
        return None
    v = view(started_at, limit_days, stopped_at=stopped_at, now=now)
    return {"colour": v.colour, "days_used": v.days_used, "days_left": v.days_left,
            "limit_days": limit_days, "due_date": v.promised_due.isoformat()
            if v.promised_due else None, "running": v.running}


async def alert_once(model: type[Model], row_id: int, last: str, colour: str, *,
                     event_prefix: str, aggregate: str, payload: dict[str, Any]) -> bool:
    """Move ``clock_alert`` from ``last`` to ``colour`` and emit ``<prefix>.clock_<colour>``,
    once: a second runner (or a rerun) finds the colour moved and does nothing."""
    if RANK[colour] <= RANK[last]:
        return False
    async with in_transaction() as conn:
        won = await model.filter(id=row_id, clock_alert=last).using_db(conn).update(
            clock_alert=colour)
        if not won:
            return False
        await emit(f"{event_prefix}.clock_{colour}", aggregate=aggregate, aggregate_id=row_id,
                   payload={**payload, "colour": colour}, connection=conn)
    return True


def today() -> date:
    return clock.local(clock.now()).date()
