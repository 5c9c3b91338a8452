"""What a citizen does with ratings: rate a case or ticket once, change it once within the
window, re-rate (追评) after the department answered a 差评, and read their own.

The change window is ``rating_change_days`` (7 calendar days by default): long enough to think
again after the first reaction, short enough that the month's figures settle before they are
published. The 追评 window after a 整改 reply is ``rerate_days`` (15). Each version is kept as
a ``RatingRevision`` and reported; a 差评 opens a 整改 in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import clock
from app.errors import Conflict, NotFound
from app.ratings import content, rectifications, trail
from app.ratings.targets import Target, owned, rateable
from app.security import pii
from app.settings import get_settings
from models.ratings import (
    Level,
    RatedKind,
    Rating,
    RatingRevision,
    Rectification,
    RectificationOutcome,
    RectificationState,
    RevisionKind,
)

CHANNELS = ("app", "h5", "wechat", "alipay")


@dataclass(frozen=True)
class RatingInput:
    level: Level
    tags: list[str]
    comment: str | None
    channel: str


def _sealed(comment: str | None) -> str | None:
    text = (comment or "").strip()
    return pii.encrypt(text) if text else None


def _rated_payload(rating: Rating, target: Target) -> dict[str, object]:
    return {"revision": rating.revision, "level": int(rating.level), "kind": target.kind.value,
            "department_id": target.department_id, **target.filter}


async def rate(person_id: int, kind: RatedKind, target_id: int, data: RatingInput) -> Rating:
    target = await rateable(kind, target_id, person_id)
    pairs = content.check(data.level, data.tags, data.comment, data.channel)
    now = clock.now()
    try:
        async with in_transaction() as conn:
            rating = await Rating.create(
                kind=kind, person_id=person_id, department_id=target.department_id,
                item_id=target.item_id, level=data.level, tags=[t for _, t in pairs],
                comment_enc=_sealed(data.comment), channel=data.channel,
                content_version=content.VERSION,
                change_until=now + timedelta(days=get_settings().rating_change_days),
                using_db=conn, **target.filter)
            await _revision(conn, rating, RevisionKind.initial)
            await trail.step(conn, rating.id, "rating", "rated", trail.citizen(person_id),
                             to=str(int(data.level)), event="rating.rated",
                             payload=_rated_payload(rating, target))
            if data.level in content.BAD:
                await rectifications.open_for(conn, rating, target)
    except IntegrityError as exc:  # two first ratings at once: one wins
        raise Conflict("您已评价过，可修改评价", code="ALREADY_RATED") from exc
    return rating


async def _revision(conn: BaseDBAsyncClient, rating: Rating, kind: RevisionKind) -> None:
    await RatingRevision.create(rating_id=rating.id, seq=rating.revision, kind=kind,
                                level=rating.level, tags=rating.tags,
                                comment_enc=rating.comment_enc, channel=rating.channel,
                                at=clock.now(), using_db=conn)


async def _mine(conn: BaseDBAsyncClient, person_id: int, target: Target) -> Rating:
    rating = await Rating.filter(person_id=person_id, **target.filter).select_for_update(
    ).using_db(conn).first()
    if rating is None:
        raise NotFound("尚未评价", code="RATING_NOT_FOUND")
    return rating


async def revise(person_id: int, kind: RatedKind, target_id: int, data: RatingInput) -> Rating:
    """The 追评 when a 整改 reply awaits it, else the one change within the window."""
    target = await owned(kind, target_id, person_id)
    pairs = content.check(data.level, data.tags, data.comment, data.channel)
    now = clock.now()
    async with in_transaction() as conn:
        rating = await _mine(conn, person_id, target)
        fix = await Rectification.filter(rating_id=rating.id).using_db(conn).first()
        if rating.excluded:
            raise Conflict("该评价经申诉核实已不计入统计，不能修改", code="RATING_EXCLUDED")
        awaiting = (fix is not None and fix.state == RectificationState.replied
                    and fix.revisit_until is not None and now <= fix.revisit_until)
        if awaiting and not rating.followed_up:
            action, kind_of = "followed_up", RevisionKind.follow_up
            rating.followed_up = True
        elif not rating.changed and now <= rating.change_until and (
                fix is None or fix.state == RectificationState.open):
            action, kind_of = "changed", RevisionKind.changed
            rating.changed = True
        else:
            raise Conflict("评价已不能修改", code="RATING_LOCKED")
        before = rating.level
        rating.level, rating.tags = data.level, [t for _, t in pairs]
        rating.comment_enc, rating.channel = _sealed(data.comment), data.channel
        rating.revision += 1
        await rating.save(using_db=conn)
        await _revision(conn, rating, kind_of)
        await trail.step(conn, rating.id, "rating", action, trail.citizen(person_id),
                         frm=str(int(before)), to=str(int(data.level)), event="rating.rated",
                         payload=_rated_payload(rating, target))
        await _after_revision(conn, rating, target, fix, kind_of, person_id)
    return rating


async def _after_revision(conn: BaseDBAsyncClient, rating: Rating, target: Target,
                          fix: Rectification | None, kind: RevisionKind, person_id: int) -> None:
    bad = rating.level in content.BAD
    actor = trail.citizen(person_id)
    if kind is RevisionKind.follow_up:
        assert fix is not None
        outcome = RectificationOutcome.unsatisfied if bad else RectificationOutcome.satisfied
        await rectifications.close(conn, fix, outcome, actor, target)
    elif fix is None and bad:
        await rectifications.open_for(conn, rating, target)
    elif fix is not None and not bad:
        await rectifications.close(conn, fix, RectificationOutcome.withdrawn, actor, target)


async def mine(person_id: int, kind: RatedKind, target_id: int) -> Rating:
    target = await owned(kind, target_id, person_id)
    rating = await Rating.get_or_none(person_id=person_id, **target.filter)
    if rating is None:
        raise NotFound("尚未评价", code="RATING_NOT_FOUND")
    return rating


async def list_mine(person_id: int, *, limit: int, offset: int
                    ) -> tuple[list[tuple[Rating, Rectification | None]], int]:
    """我的评价, newest first, each with its 整改 (if any)."""
    query = Rating.filter(person_id=person_id)
    total = await query.count()
    rows = list(await query.order_by("-id").offset(offset).limit(limit).prefetch_related(
        "case", "ticket"))
    fixes = {f.rating_id: f for f in await Rectification.filter(
        rating_id__in=[r.id for r in rows])} if rows else {}
    return [(r, fixes.get(r.id)) for r in rows], total
