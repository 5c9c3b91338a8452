"""Tracking updates (push or query) → timeline, shipment state, case effects.

Idempotent: the shipment row is locked, trace lines already stored are skipped (unique on
shipment, time, context), and the state only follows the newest trace line, so a duplicate or
stale (out-of-order) push changes nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from tortoise.transactions import in_transaction

from app import clock
from app.cases.transitions import Actor
from app.interfaces import TrackingUpdate
from app.shipments.effects import apply_effects, tracking_aborted
from app.shipments.records import set_state
from models.express import FINAL, Shipment, ShipmentState, SubscriptionState, TrackingEvent

log = logging.getLogger("zsb.shipments")

CONTEXT_MAX = 500


async def _shipment_of(update: TrackingUpdate, conn: Any) -> Shipment | None:
    """By carrier and waybill, the waybill's letters in any case; kuaidi100 may report a
    corrected carrier code (``autoCheck``), so a waybill only one shipment has is enough."""
    waybill = update.waybill_no.strip()
    if not waybill:
        return None
    locked = Shipment.select_for_update().using_db(conn)
    # as stored first (the unique (carrier, waybill) index answers it), the rest only then
    found = await locked.filter(carrier=update.carrier.lower(), waybill_no=waybill).first()
    if found is None:
        found = await locked.filter(carrier=update.carrier.lower(),
                                    waybill_no__iexact=waybill).first()
    if found is not None:
        return found
    same = await locked.filter(waybill_no__iexact=waybill).limit(2)
    return same[0] if len(same) == 1 else None


async def apply_update(
    update: TrackingUpdate, *, actor: Actor, source: str = "push"
) -> Shipment | None:
    """Store what the provider says; answer the shipment, or None when the waybill is unknown."""
    async with in_transaction() as conn:
        shipment = await _shipment_of(update, conn)
        if shipment is None:
            return None
        known = {
            (e.time, e.context)
            for e in await TrackingEvent.filter(shipment_id=shipment.id).using_db(conn)
        }
        fresh = []
        for ev in update.events:
            context = ev.context[:CONTEXT_MAX]
            if (ev.time, context) in known:
                continue
            known.add((ev.time, context))
            fresh.append(
                TrackingEvent(
                    shipment_id=shipment.id,
                    time=ev.time,
                    context=context,
                    state=ev.state,
                    raw_state=ev.raw_state,
                    area=(ev.area or "")[:128] or None,
                    source=source,
                )
            )
        if fresh:
            await TrackingEvent.bulk_create(fresh, using_db=conn)
        newest = max(update.events, key=lambda e: e.time) if update.events else None
        to: ShipmentState | None = None
        if newest and (shipment.last_event_at is None or newest.time >= shipment.last_event_at):
            shipment.last_event_at = newest.time
            to = ShipmentState(update.state or newest.state)
        # a repeated or replayed push is no news (an abort still dates the re-subscription)
        if fresh or source != "push" or update.status == "abort":
            shipment.checked_at = clock.now()
        aborted = update.status == "abort" and shipment.subscription != SubscriptionState.aborted
        if update.status == "abort":
            shipment.subscription = SubscriptionState.aborted
            shipment.subscription_error = (update.message or "abort")[:255]
        elif update.status == "shutdown":
            shipment.subscription = SubscriptionState.ended
        await shipment.save(using_db=conn)
        if aborted and shipment.state not in FINAL:
            await tracking_aborted(shipment, update.message, connection=conn)
        if to is not None and to != shipment.state and shipment.state not in FINAL:
            reason = f"{update.status or source}: {newest.context[:200]}" if newest else None
            await set_state(
                shipment, to, actor=actor, reason=reason, data={"source": source}, connection=conn
            )
            await apply_effects(shipment, to, actor=actor, connection=conn)
        log.info(
            "tracking applied",
            extra={
                "shipment_id": shipment.id,
                "new_events": len(fresh),
                "state": shipment.state,
                "status": update.status,
                "source": source,
            },
        )
        return shipment
