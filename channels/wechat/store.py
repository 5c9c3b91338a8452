"""Database side of the WeChat edge: callback records, followers, subscribe-message consents.

Each function is one short statement (or two) with no network call inside; uniqueness in the
tables makes every one of them safe to run twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError
from tortoise.expressions import Case, F, When

from app.clock import now
from app.security import pii
from channels.wechat.messages import InboundMessage, SubscribeChoice
from channels.wechat.recorder import InboundRecorder, Row
from models.wechat import ConsentKind, Follower, InboundCallback, SubscribeConsent


async def record_inbound(
    msg: InboundMessage, mode: str, body: str, recorder: InboundRecorder,
    query_signature: str = "",
) -> bool:
    """Store the callback raw; False when this push was seen before (a WeChat retry)."""
    row = Row(
        dedupe_key=msg.dedupe_key[:160],
        openid=msg.openid[:64],
        msg_type=msg.msg_type[:32],
        event=msg.event[:64] if msg.event else None,
        mode=mode,
        body=pii.encrypt(body),  # chat text may carry an ID or phone number
        query_signature=query_signature[:40] or None,
    )
    return await recorder.record(row)


async def signature_used_elsewhere(
    query_signature: str, timestamp: int, window_seconds: int, msg: InboundMessage
) -> bool:
    """Whether this query signature came before with another push: a copied callback URL
    (plain mode signs no body; a safe-mode URL stripped of ``encrypt_type`` looks plain).
    Its first use was received within ``window_seconds`` of the signed ``timestamp``."""
    signed_at = datetime.fromtimestamp(timestamp, tz=UTC)
    window = timedelta(seconds=window_seconds + 1)
    return await InboundCallback.filter(
        received_at__gte=signed_at - window, received_at__lte=signed_at + window,
        query_signature=query_signature[:40],
    ).exclude(dedupe_key=msg.dedupe_key[:160]).exists()


async def unhandled(msg: InboundMessage) -> bool:
    """Recorded before, but never acted on to the end."""
    return await InboundCallback.filter(
        dedupe_key=msg.dedupe_key[:160], outcome="accepted"
    ).exists()


async def mark_handled(msg: InboundMessage) -> None:
    await InboundCallback.filter(dedupe_key=msg.dedupe_key[:160]).update(outcome="handled")


async def record_malformed(mode: str, body: str) -> None:
    await InboundCallback.create(
        dedupe_key=f"bad:{uuid.uuid4().hex}",
        mode=mode,
        outcome="malformed",
        body=pii.encrypt(body[:65536]),
    )


async def follow(openid: str, scene: str | None, event_time: int) -> None:
    at = now()
    try:
        await Follower.create(
            openid=openid,
            subscribed=True,
            scene=scene,
            subscribed_at=at,
            last_event_time=event_time,
        )
    except IntegrityError:
        await Follower.filter(openid=openid, last_event_time__lte=event_time).update(
            subscribed=True, subscribed_at=at, unsubscribed_at=None, last_event_time=event_time
        )


async def unfollow(openid: str, event_time: int) -> None:
    at = now()
    try:
        await Follower.create(
            openid=openid, subscribed=False, unsubscribed_at=at, last_event_time=event_time
        )
    except IntegrityError:
        await Follower.filter(openid=openid, last_event_time__lte=event_time).update(
            subscribed=False, unsubscribed_at=at, last_event_time=event_time
        )


async def has_unfollowed(openid: str) -> bool:
    """Known to have left (an unsubscribe event, or WeChat's 43004). Someone who followed
    before this server knew, or whose follow event was lost, is not: WeChat decides."""
    return await Follower.filter(openid=openid, subscribed=False).exists()


async def mark_unfollowed(openid: str) -> None:
    """WeChat answered 43004 for this openid: believe it until the next subscribe event."""
    await Follower.filter(openid=openid).update(subscribed=False, unsubscribed_at=now())


MAX_ONE_TIME = 50  # unspent one-time acceptances kept per template; more add nothing


async def record_choices(
    openid: str, choices: Iterable[SubscribeChoice], event_time: int, long_term: frozenset[str]
) -> None:
    """Popup / change events. Each acceptance of a one-time template allows one more message
    (they add up); a rejection withdraws whatever was left. An event is applied once: only a
    later ``CreateTime`` than the last one counts, so acting on a retried push adds nothing."""
    for choice in choices:
        if choice.status not in {"accept", "reject"}:
            continue  # subscribe_msg_sent_event only reports a delivery
        kind = ConsentKind.LONG_TERM if choice.template_id in long_term else ConsentKind.ONE_TIME
        accepted = choice.status == "accept"
        one_more = accepted and kind is ConsentKind.ONE_TIME
        try:
            await SubscribeConsent.create(
                openid=openid, template_id=choice.template_id, kind=kind, accepted=accepted,
                remaining=1 if one_more else 0, decided_at=now(), last_event_time=event_time,
            )
            continue
        except IntegrityError:
            pass
        later = SubscribeConsent.filter(
            openid=openid, template_id=choice.template_id, last_event_time__lt=event_time
        )
        values = {"kind": kind, "accepted": accepted, "decided_at": now(),
                  "last_event_time": event_time}
        if one_more:
            await later.update(**values, remaining=Case(
                When(remaining__lt=MAX_ONE_TIME, then=F("remaining") + 1),
                default=MAX_ONE_TIME,  # type: ignore[arg-type]  # a literal is a valid default
            ))
        else:
            await later.update(**values, remaining=0)


async def spend_consent(openid: str, template_id: str) -> ConsentKind | None:
    """Take one use of the consent; None when there is nothing to spend (43101)."""
    spent = await SubscribeConsent.filter(
        openid=openid,
        template_id=template_id,
        accepted=True,
        remaining__gt=0,
        kind=ConsentKind.ONE_TIME,
    ).update(remaining=F("remaining") - 1, spent_at=now())
    if spent:
        return ConsentKind.ONE_TIME
    long_term = await SubscribeConsent.filter(
        openid=openid, template_id=template_id, accepted=True, kind=ConsentKind.LONG_TERM
    ).exists()
    return ConsentKind.LONG_TERM if long_term else None


async def restore_consent(openid: str, template_id: str) -> None:
    """The send failed before WeChat used the consent (network, busy): give it back."""
    await SubscribeConsent.filter(
        openid=openid, template_id=template_id, kind=ConsentKind.ONE_TIME, accepted=True,
        remaining__lt=MAX_ONE_TIME,
    ).update(remaining=F("remaining") + 1)


async def withdraw_consent(openid: str, template_id: str) -> None:
    """WeChat answered 43101: the user holds no consent for this template."""
    await SubscribeConsent.filter(openid=openid, template_id=template_id).update(
        accepted=False, remaining=0, spent_at=now()
    )
