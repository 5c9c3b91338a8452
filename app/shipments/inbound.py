"""One tracking push: verify → store raw → act → answer (the channel blueprint answers)."""

from __future__ import annotations

import logging

from app.cases.transitions import Actor
from app.interfaces import ProviderError, Tracker
from app.security import pii
from app.shipments.tracking import apply_update
from models.express import CallbackLog

log = logging.getLogger("zsb.shipments")

BODY_MAX = 200_000


async def receive_push(tracker: Tracker, form: dict[str, str], raw: str) -> bool:
    """Answer True when the push is handled (or harmlessly unknown), False to have it retried."""
    try:
        update = tracker.verify_callback(form)
    except ProviderError as exc:
        await CallbackLog.create(
            provider=tracker.provider,
            body=pii.encrypt(raw[:BODY_MAX]),
            verified=False,
            outcome="rejected",
            error=str(exc)[:255],
        )
        log.warning(
            "tracking push rejected", extra={"provider": tracker.provider, "reason": exc.code}
        )
        return False
    entry = await CallbackLog.create(
        provider=tracker.provider, body=pii.encrypt(raw[:BODY_MAX]), verified=True,
        waybill_no=update.waybill_no,
    )
    try:
        shipment = await apply_update(update, actor=Actor("platform", tracker.provider))
    except Exception as exc:
        log.exception("tracking push failed", extra={"callback_log_id": entry.id})
        entry.outcome, entry.error = "error", repr(exc)[:255]
        await entry.save(update_fields=["outcome", "error"])
        return False
    entry.outcome = "handled" if shipment else "unknown"
    await entry.save(update_fields=["outcome"])
    return True
