"""Subscribe a shipment's waybill to the tracking provider, outside any transaction."""

from __future__ import annotations

import logging

from app import clock
from app.interfaces import ProviderError, Tracker
from app.security import pii
from models.express import Shipment, SubscriptionState

log = logging.getLogger("zsb.shipments")


async def subscribe(tracker: Tracker, shipment: Shipment) -> bool:
    """Answer whether the subscription stands; a failure is kept for the poller to retry."""
    try:
        await tracker.subscribe(
            shipment.carrier, shipment.waybill_no, pii.decrypt(shipment.receiver_phone)
        )
    except ProviderError as exc:
        await Shipment.filter(id=shipment.id).update(
            subscription=SubscriptionState.pending, subscription_error=str(exc)[:255]
        )
        shipment.subscription = SubscriptionState.pending
        log.warning(
            "tracking subscribe failed",
            extra={"shipment_id": shipment.id, "code": exc.code, "retryable": exc.retryable},
        )
        return False
    now = clock.now()
    await Shipment.filter(id=shipment.id).update(
        subscription=SubscriptionState.active, subscription_error=None, subscribed_at=now
    )
    shipment.subscription, shipment.subscribed_at = SubscriptionState.active, now
    return True
