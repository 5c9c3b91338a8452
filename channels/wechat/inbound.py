"""One verified inbound message: ``act`` changes state (only the first time it arrives),
``reply`` computes the answer (read-only, so a WeChat retry gets the same answer again)."""

from __future__ import annotations

import logging
from types import EllipsisType

from app.settings import Settings
from channels.wechat import dialogue, store
from channels.wechat.messages import (
    InboundMessage,
    Intent,
    route_click,
    route_scene,
    route_text,
)
from channels.wechat.notifier import bizsend_key
from push import receipts

log = logging.getLogger("zsb.wechat")

SUBSCRIBE_EVENTS = {"subscribe", "subscribe_scan", "subscribe_scan_product"}
CONSENT_EVENTS = {"subscribe_msg_popup_event", "subscribe_msg_change_event"}
ACTING_EVENTS = SUBSCRIBE_EVENTS | CONSENT_EVENTS | {
    "unsubscribe", "templatesendjobfinish", "subscribe_msg_sent_event"
}
KNOWN_EVENTS = ACTING_EVENTS | {"scan", "click", "view"}
MEDIA_TYPES = {"image", "voice", "video", "shortvideo", "location", "link"}


def long_term_templates(settings: Settings) -> frozenset[str]:
    return frozenset(t.strip() for t in settings.wechat_longterm_templates.split(",") if t.strip())


def changes_state(msg: InboundMessage) -> bool:
    """Whether ``act`` does anything for this push."""
    if msg.msg_type == "text":  # "投诉 …" and the like open a ticket
        return route_text(msg.content).intent is Intent.TICKET
    return msg.msg_type == "event" and msg.event in ACTING_EVENTS


async def act(msg: InboundMessage, settings: Settings) -> None:
    """Idempotent: a push acted on twice (a retry after a failure) ends the same."""
    if msg.msg_type == "text":
        await dialogue.open_ticket(route_text(msg.content), msg.openid, msg.dedupe_key)
        return
    event = msg.event
    if event in SUBSCRIBE_EVENTS:
        scene = msg.event_key if event == "subscribe_scan" else None
        await store.follow(msg.openid, scene, msg.create_time)
    elif event == "unsubscribe":
        await store.unfollow(msg.openid, msg.create_time)
    elif event in CONSENT_EVENTS:
        await store.record_choices(msg.openid, msg.choices, msg.create_time,
                                   long_term_templates(settings))
    elif event == "templatesendjobfinish":
        await _receipt(msg, settings.quiet_hours)
    elif event == "subscribe_msg_sent_event":
        await _subscribe_receipts(msg, settings.quiet_hours)


async def _receipt(msg: InboundMessage, quiet_hours: str) -> None:
    status = str(msg.status or "")
    await receipts.record_receipt(
        channel="wechat_template",
        platform_message_id=str(msg.msg_id or ""),
        delivered=status == "success",
        raw_code=status,
        recipient=msg.openid,
        quiet_hours=quiet_hours,
    )


async def _subscribe_receipts(msg: InboundMessage, quiet_hours: str) -> None:
    """One receipt per template in the event; ``ErrorCode`` 0 is a delivery."""
    for choice in msg.choices:
        code = str(choice.error_code or "0").strip()
        await receipts.record_unnamed_receipt(
            channel="wechat_subscribe",
            awaiting_key=bizsend_key(choice.template_id, msg.openid),
            recipient=msg.openid,
            msg_id=str(choice.msg_id or ""),
            delivered=code == "0",
            raw_code="success" if code == "0" else code,
            quiet_hours=quiet_hours,
        )


def immediate_reply(msg: InboundMessage) -> str | EllipsisType | None:
    """The answer when it needs no lookup (help text, contact, silence), else ``...``:
    most pushes are answered without touching the database or a time budget."""
    if msg.msg_type == "text":
        cmd = route_text(msg.content)
    elif msg.msg_type != "event":
        if msg.msg_type not in MEDIA_TYPES:
            log.warning("unknown wechat message type", extra={"msg_type": msg.msg_type[:32]})
        return dialogue.HELP  # image, voice, location …: point to what we understand
    elif msg.event == "click":
        cmd = route_click(msg.event_key)
    elif msg.event in SUBSCRIBE_EVENTS or msg.event == "scan":
        return ...
    else:
        if msg.event not in KNOWN_EVENTS:
            log.warning("unknown wechat event", extra={"wechat_event": (msg.event or "")[:64]})
        return None  # unsubscribe, VIEW, receipts, consents, unknown events
    if cmd.intent is Intent.HELP:
        return dialogue.HELP
    if cmd.intent is Intent.CONTACT:
        return dialogue.CONTACT
    return ...


async def reply(msg: InboundMessage, settings: Settings) -> str | None:
    """The text to answer with, or None for a bare ``success``."""
    now = immediate_reply(msg)
    if now is not ...:
        return now
    openid = msg.openid
    if msg.msg_type == "text":
        said = route_text(msg.content)
        if said.intent is Intent.TICKET:
            return await dialogue.ticket_answer(said, openid, msg.dedupe_key, settings)
        return await dialogue.answer(said, openid, settings)
    event = msg.event
    if event in SUBSCRIBE_EVENTS:
        text = dialogue.welcome(settings)
        cmd = route_scene(msg.event_key) if event == "subscribe_scan" else None
        if cmd is not None and cmd.intent is not Intent.BIND:
            text += "\n\n" + await dialogue.answer(cmd, openid, settings)
        return text
    if event == "scan":
        cmd = route_scene(msg.event_key)
        return await dialogue.answer(cmd, openid, settings) if cmd else None
    return await dialogue.answer(route_click(msg.event_key), openid, settings)
