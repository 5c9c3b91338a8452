"""The outbox consumer: claim domain events, critical first, and turn each into notifications.

Expansion makes no network call, so the claim is a plain row lock held for the short
transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL: concurrent dispatchers take disjoint
rows). On SQLite the lock clause is dropped; it serves one process only.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app import clock, reactions
from models.core import OutboxEvent
from push import staff_alerts
from push.enqueue import Draft, Live, enqueue
from push.templates import render

PRIORITIES = ("critical", "normal", "bulk")
log = logging.getLogger("zsb.push")


async def expand_outbox(
    limit: int, *, quiet_hours: str, worker: str, priorities: tuple[str, ...] = PRIORITIES,
    now: datetime | None = None,
) -> tuple[int, list[Live]]:
    """Process up to ``limit`` events; answer how many, and the inbox messages to publish."""
    now = now or clock.now()
    async with in_transaction() as conn:
        events: list[OutboxEvent] = []
        for priority in priorities:
            if len(events) >= limit:
                break
            events += await (
                OutboxEvent.filter(processed_at=None, priority=priority)
                .filter(Q(available_at=None) | Q(available_at__lte=now))
                .order_by("id").limit(limit - len(events))
                .select_for_update(skip_locked=True).using_db(conn)
            )
        if not events:
            return 0, []
        await staff_alerts.record(events, conn)
        await reactions.react(events, conn)  # platform jobs, rating invitations
        drafts = []
        for e in events:
            if e.person_id is None or e.event_type in staff_alerts.STAFF_ONLY:
                continue
            try:
                drafts.append(_draft(e))
            except Exception:  # one malformed event must not block the outbox behind it
                log.exception("outbox event %s (%s) cannot be rendered; skipped", e.id,
                              e.event_type)
        live = await enqueue(drafts, quiet_hours=quiet_hours, connection=conn, now=now)
        await OutboxEvent.filter(id__in=[e.id for e in events]).using_db(conn).update(
            processed_at=now, claimed_by=worker)
    return len(events), live


def _draft(e: OutboxEvent) -> Draft:
    payload = e.payload if isinstance(e.payload, dict) else {}
    case_id = payload.get("case_id") if e.aggregate != "case" else e.aggregate_id
    return Draft(
        dedupe_key=f"evt:{e.id}:{e.person_id}", person_id=int(e.person_id or 0),
        rendered=render(e.event_type, payload, e.priority),
        data={"event": e.event_type, "aggregate": e.aggregate,
              "aggregate_id": e.aggregate_id, **_public(payload)},
        event_id=e.id, event_at=e.created_at, case_id=_int(case_id),
    )


def _public(payload: dict[str, object]) -> dict[str, object]:
    """What a message may carry to a platform: short scalars, never personal data."""
    keep = ("case_no", "item_name", "from", "to", "waybill_no", "amount_fen", "title")
    return {k: payload[k] for k in keep if k in payload and payload[k] is not None}


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
