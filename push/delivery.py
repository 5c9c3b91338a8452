"""One round of delivery work: claim due deliveries of one priority, send, record outcomes.

No transaction is held across a platform call: the claim commits first (state ``sending``,
a lease in ``next_attempt_at`` and a fresh ``claimed_by`` token), the sends run, and the
outcomes are written in a new short transaction — only where the token still matches, so a
dispatcher that lost its lease (it stalled, another took over) writes nothing. A dispatcher
that dies mid-send leaves rows whose lease runs out; the next claim takes them again and
resends with the same idempotency key, which the platform (SMS ``OutId``) or the app (JPush
``extras.zsb_id``) uses to show the message once.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from tortoise import connections
from tortoise.transactions import in_transaction

from app import clock, sql
from app.interfaces import DeliveryOutcome, Notifier, OutboundMessage, SendResult
from app.kv import KeyValue
from app.notices import RANKS
from app.security import pii
from models.push import Delivery, DeliveryState, Device, Notification
from push.outcomes import backoff, final_state
from push.quiet import release_at

PRIORITY_OF_RANK = {rank: name for name, rank in RANKS.items()}

log = logging.getLogger("zsb.push")

NotifierLookup = Callable[[str], Notifier | None]


@dataclass(frozen=True)
class Policy:
    lease_seconds: float = 30.0
    max_attempts: int = 6
    backoff_base: float = 2.0
    backoff_cap: float = 900.0


@dataclass
class Claimed:
    row: dict[str, Any]
    notification: dict[str, Any]
    result: SendResult | None = None
    deferred_until: datetime | None = None


CLAIM_SQL = (
    "UPDATE push_delivery SET state='sending', claimed_by=$1, attempts=attempts+1, "
    "next_attempt_at=$2 WHERE id IN (SELECT id FROM push_delivery WHERE rank=$3 AND "
    "next_attempt_at <= $4 ORDER BY next_attempt_at LIMIT $5{skip_locked}) "
    "RETURNING id, notification_id, channel, step, recipient, attempts, campaign_id, rank"
)


async def claim(rank: int, limit: int, *, worker: str, policy: Policy) -> tuple[str, list[Claimed]]:
    """Take up to ``limit`` due deliveries of one priority in one statement. Rows another
    dispatcher holds are skipped (PostgreSQL), and the lease in ``next_attempt_at`` makes
    them due again if this dispatcher dies."""
    now = clock.now()
    token = f"{worker}:{uuid.uuid4().hex[:8]}"
    rows = await sql.rows(
        connections.get("default"), CLAIM_SQL,
        token, now + timedelta(seconds=policy.lease_seconds), rank, now, limit)
    if not rows:
        return token, []
    notes = {n["id"]: n for n in await Notification.filter(
        id__in={r["notification_id"] for r in rows}).values(
        "id", "title", "body", "link", "route")}
    return token, [Claimed(dict(r), notes[r["notification_id"]]) for r in rows]


def message_for(c: Claimed) -> OutboundMessage:
    n, r = c.notification, c.row
    recipient = pii.decrypt(r["recipient"]) if r["channel"] == "sms" else r["recipient"]
    # template id and data stay empty: each notifier lays title and body out in its own
    # platform template (the channel's configured one)
    # one notification per person and campaign: a campaign-wide key still marks a device once
    key = (f"zsb-c{r['campaign_id']}-{r['channel']}" if r["campaign_id"]
           else f"zsb-{n['id']}-{r['channel']}")
    return OutboundMessage(
        recipient=recipient, title=n["title"], body=n["body"], link=n["link"],
        idempotency_key=key,
    )


async def send(c: Claimed, notifier_for: NotifierLookup) -> None:
    notifier = notifier_for(c.row["channel"])
    if notifier is None:
        c.result = SendResult(DeliveryOutcome.PERMANENT, raw_code="no_notifier")
        return
    try:
        c.result = await notifier.send(message_for(c))
    except Exception as exc:  # a notifier bug must not kill the batch; retry it later
        log.exception("notifier %s raised", c.row["channel"])
        c.result = SendResult(DeliveryOutcome.RETRYABLE, raw_code="error", detail=repr(exc)[:200])


SENT_SQL = (
    "UPDATE push_delivery SET state=$1, platform_message_id=$2, raw_code=$3, detail=NULL, "
    "sent_at=$4, finished_at=$5, next_attempt_at=NULL WHERE id=$6 AND claimed_by=$7"
)
RETRY_SQL = (
    "UPDATE push_delivery SET state='queued', next_attempt_at=$1, raw_code=$2, detail=$3 "
    "WHERE id=$4 AND claimed_by=$5"
)
DEFER_SQL = (  # over a campaign's rate: not an attempt
    "UPDATE push_delivery SET state='queued', next_attempt_at=$1, attempts=attempts-1 "
    "WHERE id=$2 AND claimed_by=$3"
)


async def record(token: str, batch: list[Claimed], policy: Policy, *, quiet_hours: str
                 ) -> None:
    now = clock.now()
    ok, retry, final, deferred = [], [], [], []
    for c in batch:
        r, res = c.row, c.result
        if c.deferred_until is not None:
            deferred.append((c.deferred_until, r["id"], token))
        elif res is None:
            continue
        elif res.outcome is DeliveryOutcome.SENT:
            ok.append((final_state(r["channel"], res).value, res.platform_message_id,
                       res.raw_code, now, now, r["id"], token))
        elif res.outcome is DeliveryOutcome.RETRYABLE and r["attempts"] < policy.max_attempts:
            when = backoff(r["attempts"], base=policy.backoff_base, cap=policy.backoff_cap,
                           now=now)
            retry.append((when, res.raw_code, (res.detail or "")[:255], r["id"], token))
        else:
            final.append(c)
    async with in_transaction() as conn:
        await sql.execute_many(conn, SENT_SQL, ok)
        await sql.execute_many(conn, RETRY_SQL, retry)
        await sql.execute_many(conn, DEFER_SQL, deferred)
        if ok:
            await Notification.filter(id__in=[c.notification["id"] for c in batch if
                                              c.result and c.deferred_until is None and
                                              c.result.outcome is DeliveryOutcome.SENT]
                                      ).using_db(conn).update(state="delivered")
        for c in final:
            await _finish(conn, token, c, now, quiet_hours)


async def _finish(conn: Any, token: str, c: Claimed, now: datetime, quiet_hours: str) -> None:
    """A final refusal or the last retry failed: record it, then fall through the route."""
    r, res = c.row, c.result
    assert res is not None
    state = DeliveryState.dead if res.outcome is DeliveryOutcome.RETRYABLE else final_state(
        r["channel"], res)
    changed = await Delivery.filter(id=r["id"], claimed_by=token).using_db(conn).update(
        state=state.value, raw_code=res.raw_code, detail=(res.detail or "")[:255],
        finished_at=now, next_attempt_at=None)
    if not changed:
        return
    if r["channel"] == "app_push" and res.raw_code == "1011":
        await Device.filter(registration_id__in=r["recipient"].split(",")).using_db(
            conn).update(active=False)
    await fall_through(conn, r, c.notification["route"] or [], now, quiet_hours=quiet_hours)


async def fall_through(conn: Any, row: dict[str, Any], route: list[dict[str, Any]],
                       now: datetime, *, quiet_hours: str) -> None:
    """Queue the route's next step after ``row`` (a delivery's values), or mark the
    notification undeliverable when none is left. The next step keeps to quiet hours as the
    first did (a critical notice never waits)."""
    step = row["step"] + 1
    if step >= len(route):
        await Notification.filter(id=row["notification_id"]).using_db(conn).update(
            state="undeliverable")
        return
    await Delivery.bulk_create([Delivery(
        notification_id=row["notification_id"], channel=route[step]["channel"], step=step,
        recipient=route[step]["recipient"], rank=row["rank"],
        campaign_id=row["campaign_id"],
        next_attempt_at=release_at(now, PRIORITY_OF_RANK.get(row["rank"], "normal"), quiet_hours),
    )], ignore_conflicts=True, using_db=conn)


async def rate_limited(kv: KeyValue, c: Claimed, limits: dict[str, int]) -> datetime | None:
    """Per-campaign, per-channel messages per second; answer when to try again if over."""
    limit = limits.get(c.row["channel"])
    if not limit:
        return None
    now = clock.now()
    second = int(now.timestamp())
    used = await kv.incr(f"push:rate:{c.row['campaign_id']}:{c.row['channel']}:{second}", ex=5)
    if used <= limit:
        return None
    return datetime.fromtimestamp(second + 1 + (used - limit - 1) // limit, tz=now.tzinfo)


GROUP_SIZE = 500  # JPush takes up to 1,000 registration ids per push


async def send_all(batch: list[Claimed], notifier_for: NotifierLookup, concurrency: int) -> None:
    """Send a claimed batch. A campaign's messages are identical, so where the notifier can
    send one message to many recipients (``send_many``: JPush audiences) they go in groups."""
    sem = asyncio.Semaphore(concurrency)
    groups: dict[tuple[str, int], list[Claimed]] = {}
    singles: list[Claimed] = []
    for c in batch:
        if c.deferred_until is not None:
            continue
        notifier = notifier_for(c.row["channel"])
        if c.row["campaign_id"] and hasattr(notifier, "send_many"):
            groups.setdefault((c.row["channel"], c.row["campaign_id"]), []).append(c)
        else:
            singles.append(c)

    async def one(c: Claimed) -> None:
        async with sem:
            await send(c, notifier_for)

    async def many(channel: str, chunk: list[Claimed]) -> None:
        async with sem:
            try:
                results = await notifier_for(channel).send_many(  # type: ignore[union-attr]
                    [message_for(c) for c in chunk])
            except Exception as exc:
                log.exception("notifier %s raised", channel)
                results = [SendResult(DeliveryOutcome.RETRYABLE, raw_code="error",
                                      detail=repr(exc)[:200])] * len(chunk)
            for c, result in zip(chunk, results, strict=True):
                c.result = result

    await asyncio.gather(
        *(one(c) for c in singles),
        *(many(channel, cs[i : i + GROUP_SIZE]) for (channel, _), cs in groups.items()
          for i in range(0, len(cs), GROUP_SIZE)),
    )
