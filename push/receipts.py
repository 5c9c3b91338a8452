"""Platform delivery receipts (WeChat ``TEMPLATESENDJOBFINISH``) → delivery states.

Idempotent: a second receipt for the same message changes nothing; a receipt never moves a
delivery backwards (delivered stays delivered).
"""

from __future__ import annotations

from app import clock
from models.push import Delivery, DeliveryState

RECEIPT_FROM = (DeliveryState.accepted.value, DeliveryState.sent.value)


async def record_receipt(
    channel: str, platform_message_id: str, delivered: bool, raw_code: str | None
) -> bool:
    """Answer True when a delivery changed state."""
    to = DeliveryState.delivered if delivered else DeliveryState.failed
    changed = await Delivery.filter(
        channel=channel, platform_message_id=str(platform_message_id), state__in=RECEIPT_FROM
    ).update(state=to.value, raw_code=raw_code, finished_at=clock.now())
    return bool(changed)
