"""Platform delivery receipts → delivery states.

WeChat template messages are answered with a ``msgid`` and receipted by it
(``TEMPLATESENDJOBFINISH``). Subscribe notifications (``bizsend``) are answered without one, and
their receipt (``subscribe_msg_sent_event``) names the recipient, the template and a ``MsgID``
seen for the first time. Such a send is kept under a key its channel makes of recipient and
template, and the receipt settles the oldest send under that key still waiting for one
(``record_unnamed_receipt``).

Idempotent: a second receipt for the same message changes nothing; a receipt never moves a
delivery backwards (delivered stays delivered). A failure receipt (``failed:user block``)
is a final refusal on that channel, so the notification falls through to its next step.
"""

from __future__ import annotations

from typing import Any

from tortoise.transactions import in_transaction

from app import clock
from models.push import Delivery, DeliveryState, Notification
from push.delivery import fall_through

RECEIPT_FROM = (DeliveryState.accepted.value, DeliveryState.sent.value)
_ROW = ("id", "notification_id", "step", "rank", "campaign_id")


async def record_receipt(
    channel: str, platform_message_id: str, delivered: bool, raw_code: str | None,
    recipient: str | None = None, *, quiet_hours: str,
) -> bool:
    """Answer True when a delivery changed state. With ``recipient`` (the receipt's openid)
    only a delivery to that recipient matches, so a receipt can't touch someone else's."""
    if not platform_message_id:
        return False
    async with in_transaction() as conn:
        query = Delivery.filter(channel=channel, platform_message_id=str(platform_message_id),
                                state__in=RECEIPT_FROM).using_db(conn)
        if recipient is not None:
            query = query.filter(recipient=recipient)
        rows = await query.select_for_update().values(*_ROW)
        return await _settle(conn, rows, delivered, raw_code, {}, quiet_hours)


async def record_unnamed_receipt(
    channel: str, awaiting_key: str, recipient: str, msg_id: str, delivered: bool,
    raw_code: str | None, *, quiet_hours: str,
) -> bool:
    """A receipt for a send the platform gave no id: the oldest unreceipted delivery kept
    under ``awaiting_key`` takes it, and the platform's ``msg_id`` from then on (so the same
    receipt again finds that delivery settled and changes nothing)."""
    if not (awaiting_key and recipient and msg_id):
        return False
    async with in_transaction() as conn:
        if await Delivery.filter(channel=channel, platform_message_id=msg_id,
                                 recipient=recipient).using_db(conn).exists():
            return False
        rows = await (
            Delivery.filter(channel=channel, platform_message_id=awaiting_key,
                            recipient=recipient, state__in=RECEIPT_FROM)
            .using_db(conn).order_by("sent_at", "id").limit(1).select_for_update()
            .values(*_ROW)
        )
        return await _settle(conn, rows, delivered, raw_code, {"platform_message_id": msg_id},
                             quiet_hours)


async def _settle(conn: Any, rows: list[dict[str, Any]], delivered: bool, raw_code: str | None,
                  extra: dict[str, Any], quiet_hours: str) -> bool:
    if not rows:
        return False
    now = clock.now()
    to = DeliveryState.delivered if delivered else DeliveryState.failed
    await Delivery.filter(id__in=[r["id"] for r in rows]).using_db(conn).update(
        state=to.value, raw_code=(raw_code or "")[:64] or None, finished_at=now, **extra)
    if not delivered:
        routes = dict(await Notification.filter(
            id__in=[r["notification_id"] for r in rows]).using_db(conn).values_list(
            "id", "route"))
        await Notification.filter(id__in=list(routes)).using_db(conn).update(state="pending")
        for r in rows:
            await fall_through(conn, r, routes.get(r["notification_id"]) or [], now,
                               quiet_hours=quiet_hours)
    return True
