"""Turn drafts (one message for one person) into a Notification, its inbox message and the
first Delivery of its route — in the caller's transaction, idempotently by ``dedupe_key``."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app import clock, sql
from app.notices import RANKS
from models.push import Notification
from push import routing
from push.quiet import release_at
from push.templates import Rendered


@dataclass
class Draft:
    dedupe_key: str
    person_id: int
    rendered: Rendered
    data: dict[str, Any] = field(default_factory=dict)
    campaign_id: int | None = None
    event_id: int | None = None
    event_at: datetime | None = None
    case_id: int | None = None


@dataclass(frozen=True)
class Live:
    """A new inbox message, published to the person's live stream after commit."""

    person_id: int
    message: dict[str, Any]


async def enqueue(
    drafts: list[Draft], *, quiet_hours: str, connection: BaseDBAsyncClient,
    now: datetime | None = None,
) -> list[Live]:
    now = now or clock.now()
    keys = [d.dedupe_key for d in drafts]
    seen = {str(k) for k in await Notification.filter(dedupe_key__in=keys).using_db(connection)
            .values_list("dedupe_key", flat=True)}
    fresh = [d for d in {d.dedupe_key: d for d in drafts}.values() if d.dedupe_key not in seen]
    if not fresh:
        return []
    contacts = await routing.load_contacts([d.person_id for d in fresh])
    rows: list[tuple[Any, ...]] = []
    for d in fresh:
        c = contacts[d.person_id]
        is_muted = routing.muted(c, d.rendered.priority)
        route = [] if is_muted else routing.plan(c, d.rendered.priority)
        state = "pending" if route else ("muted" if is_muted else "inbox_only")
        r = d.rendered
        rows.append((d.dedupe_key, d.person_id, r.key, r.priority, r.title, r.body, r.link,
                     sql.dumps(d.data), sql.dumps(route), state, d.campaign_id, d.event_id,
                     d.event_at or now, now))
    await sql.execute_many(connection, NOTIFICATION_SQL, rows)
    ids = dict(await Notification.filter(dedupe_key__in=[r[0] for r in rows])
               .using_db(connection).values_list("dedupe_key", "id"))
    inbox: list[tuple[Any, ...]] = []
    deliveries: list[tuple[Any, ...]] = []
    live: list[Live] = []
    for d, row in zip(fresh, rows, strict=True):
        nid, r, route = ids[d.dedupe_key], d.rendered, json.loads(row[8])
        inbox.append((d.person_id, nid, r.key, r.title, r.body, r.link, d.case_id, now))
        live.append(Live(d.person_id, {
            "type": "message", "notification_id": nid, "category": r.key, "title": r.title,
            "body": r.body, "link": r.link, "case_id": d.case_id, "at": clock.iso(now)}))
        if route:
            deliveries.append((nid, route[0]["channel"], 0, route[0]["recipient"], "queued",
                               RANKS[r.priority], d.campaign_id, 0,
                               release_at(now, r.priority, quiet_hours), now))
    await sql.execute_many(connection, INBOX_SQL, inbox)
    await sql.execute_many(connection, DELIVERY_SQL, deliveries)
    return live


NOTIFICATION_SQL = (
    "INSERT INTO push_notification (dedupe_key, person_id, event_type, priority, title, body, "
    "link, data, route, state, campaign_id, event_id, event_at, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"
    " ON CONFLICT (dedupe_key) DO NOTHING"
)
INBOX_SQL = (
    "INSERT INTO push_inbox (person_id, notification_id, category, title, body, link, case_id, "
    "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
)
DELIVERY_SQL = (
    "INSERT INTO push_delivery (notification_id, channel, step, recipient, state, rank, "
    "campaign_id, attempts, next_attempt_at, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
)
