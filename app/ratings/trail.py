"""全过程留痕 of ratings: every step of a rating, its 整改 and its 申诉 is a ``RatingEvent``
(who, when, from, to, why) and, where someone or something must hear of it, an outbox event,
both in the caller's transaction."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app import clock
from app.cases.transitions import Actor
from app.outbox import emit
from models.ratings import RatingEvent


def citizen(person_id: int) -> Actor:
    return Actor("citizen", str(person_id))


def staff(staff_id: int) -> Actor:
    return Actor("staff", str(staff_id))


SYSTEM = Actor("system", "ratings")


async def step(conn: BaseDBAsyncClient, rating_id: int, subject: str, action: str, actor: Actor,
               *, frm: str | None = None, to: str | None = None, note: str | None = None,
               event: str | None = None, payload: dict[str, Any] | None = None,
               person_id: int | None = None) -> None:
    """Record one step; with ``event``, also tell the outbox (``payload`` is what reports,
    alerts and messages are made of: ids and short public values, never the comment)."""
    await RatingEvent.create(rating_id=rating_id, subject=subject, action=action,
                             actor_kind=actor.kind, actor_id=actor.id, from_state=frm,
                             to_state=to, note=note, at=clock.now(), using_db=conn)
    if event is not None:
        await emit(event, aggregate="rating", aggregate_id=rating_id,
                   payload={"rating_id": rating_id, **(payload or {})}, person_id=person_id,
                   connection=conn)
