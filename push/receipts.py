"""Platform delivery receipts (WeChat ``TEMPLATESENDJOBFINISH``) → delivery states.

Idempotent: a second receipt for the same message changes nothing; a receipt never moves a
delivery backwards (delivered stays delivered). A failure receipt (``failed:user block``)
is a final refusal on that channel, so the notification falls through to its next step.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from app import clock
from models.push import Delivery, DeliveryState, Notification
from push.delivery import fall_through

RECEIPT_FROM = (DeliveryState.accepted.value, DeliveryState.sent.value)


async def record_receipt(
    channel: str, platform_message_id: str, delivered: bool, raw_code: str | None,
    recipient: str | None = None,
) -> bool:
    """Answer True when a delivery changed state. With ``recipient`` (the receipt's openid)
    only a delivery to that recipient matches, so a receipt can't touch someone else's."""
    if not platform_message_id:
        return False
    now = clock.now()
    to = DeliveryState.delivered if delivered else DeliveryState.failed
    async with in_transaction() as conn:
        query = Delivery.filter(channel=channel, platform_message_id=str(platform_message_id),
                                state__in=RECEIPT_FROM).using_db(conn)
        if recipient is not None:
            query = query.filter(recipient=recipient)
        rows = await query.select_for_update().values(
            "id", "notification_id", "step", "rank", "campaign_id")
        if not rows:
            return False
        await Delivery.filter(id__in=[r["id"] for r in rows]).using_db(conn).update(
            state=to.value, raw_code=(raw_code or "")[:64] or None, finished_at=now)
        if not delivered:
            routes = dict(await Notification.filter(
                id__in=[r["notification_id"] for r in rows]).using_db(conn).values_list(
                "id", "route"))
            for r in rows:
                await Notification.filter(id=r["notification_id"]).using_db(conn).update(
                    state="pending")
                await fall_through(conn, r, routes.get(r["notification_id"]) or [], now)
    return True
