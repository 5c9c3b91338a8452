"""差评 → 整改 → 回访: a 差评 opens a rectification for the rated department with a deadline of
``rectification_limit_days`` (15) working days on the case calendar; staff record what was put
right and what the citizen is told; the citizen is asked again (回访) and may re-rate once
within ``rerate_days``; otherwise it closes by itself. Every step is in the trail, reported to
the 好差评 system, and an overdue one alerts its department and shows in supervision.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app import clock, deadlines
from app.cases.transitions import Actor
from app.errors import Conflict
from app.ratings import content, trail
from app.ratings.targets import Target, of_case, of_ticket
from app.scoped import Sees, visible
from app.settings import get_settings
from models.cases import Case
from models.ratings import (
    Level,
    Rating,
    Rectification,
    RectificationOutcome,
    RectificationState,
)
from models.tickets import Ticket

S = RectificationState


def link(target: Target) -> str:
    """Where the citizen rates it again (relative to the H5 root)."""
    return f"/cases/{target.id}/rate" if target.kind.value == "case" else f"/tickets/{target.id}"


def snapshot(fix: Rectification, step: str) -> dict[str, Any]:
    """What one step reports (the payload of its outbox event, copied into its job)."""
    overdue = deadlines.view(fix.opened_at, fix.limit_days,
                             stopped_at=fix.replied_at).colour == "red"
    return {
        "rectification_id": fix.id, "step": step, "state": str(fix.state),
        "department_id": fix.department_id, "opened_at": clock.iso(fix.opened_at),
        "due_date": fix.due_date.isoformat(), "limit_days": fix.limit_days, "overdue": overdue,
        "measures": fix.measures, "reply": fix.reply, "replied_at": clock.iso(fix.replied_at),
        "outcome": str(fix.outcome) if fix.outcome else None,
        "closed_at": clock.iso(fix.closed_at),
    }


def _words(target: Target, rating: Rating | None = None) -> dict[str, Any]:
    words: dict[str, Any] = {"subject_text": target.text, "link": link(target),
                             **target.filter}
    if target.kind.value == "case":
        words.update(case_no=target.number, item_name=target.item_name)
    else:
        words.update(ticket_no=target.number)
    if rating is not None:
        words["level_name"] = content.LEVEL_NAMES[Level(rating.level)]
    return words


async def open_for(conn: BaseDBAsyncClient, rating: Rating, target: Target) -> Rectification:
    now = clock.now()
    limit = get_settings().rectification_limit_days
    fix = await Rectification.create(
        rating_id=rating.id, department_id=target.department_id, opened_at=now,
        limit_days=limit, due_date=deadlines.due_date(now, limit), using_db=conn)
    await trail.step(conn, rating.id, "rectification", "opened", trail.SYSTEM, to=S.open,
                     event="rectification.opened",
                     payload={**snapshot(fix, "opened"), **_words(target, rating),
                              "due_text": f"{fix.due_date:%Y年%m月%d日}"})
    return fix


async def close(conn: BaseDBAsyncClient, fix: Rectification, outcome: RectificationOutcome,
                actor: Actor, target: Target) -> None:
    frm = fix.state
    fix.state, fix.outcome, fix.closed_at = S.closed, outcome, clock.now()
    await fix.save(using_db=conn, update_fields=["state", "outcome", "closed_at"])
    await trail.step(conn, fix.rating_id, "rectification", "closed", actor, frm=frm, to=S.closed,
                     note=outcome.value, event="rectification.closed",
                     payload={**snapshot(fix, "closed"), **_words(target)})


async def target_of(rating: Rating) -> Target:
    if rating.case_id is not None:
        return of_case(await Case.get(id=rating.case_id))
    return of_ticket(await Ticket.get(id=rating.ticket_id))


async def for_staff(fix_id: int, sees: Sees) -> Rectification:
    return await visible(Rectification, fix_id, sees, "整改记录不存在", "RECTIFICATION_NOT_FOUND")


async def reply(fix_id: int, *, sees: Sees, staff_id: int, measures: str, text: str
                ) -> Rectification:
    """The department's answer: what was put right (reported) and what the citizen is told;
    the citizen is asked to rate again (回访)."""
    await for_staff(fix_id, sees)
    async with in_transaction() as conn:
        fix = await Rectification.select_for_update().using_db(conn).get(id=fix_id)
        if fix.state != S.open:
            raise Conflict("该整改已答复", code="RECTIFICATION_NOT_OPEN")
        now = clock.now()
        fix.state, fix.measures, fix.reply = S.replied, measures.strip(), text.strip()
        fix.replied_by, fix.replied_at = staff_id, now
        fix.revisit_until = now + timedelta(days=get_settings().rerate_days)
        await fix.save(using_db=conn)
        rating = await Rating.get(id=fix.rating_id, using_db=conn)
        target = await target_of(rating)
        await trail.step(conn, rating.id, "rectification", "replied", trail.staff(staff_id),
                         frm=S.open, to=S.replied, note=fix.reply, event="rectification.replied",
                         payload={**snapshot(fix, "replied"), **_words(target, rating)},
                         person_id=rating.person_id)
    return fix


async def expire_revisits(now: Any = None, batch: int = 200) -> int:
    """回访 windows that passed without a re-rating close as ``no_response``."""
    now = now or clock.now()
    due = await Rectification.filter(state=S.replied, revisit_until__lt=now).limit(batch)
    for fix in due:
        async with in_transaction() as conn:
            locked = await Rectification.select_for_update().using_db(conn).get(id=fix.id)
            if locked.state != S.replied:
                continue
            target = await target_of(await Rating.get(id=locked.rating_id, using_db=conn))
            await close(conn, locked, RectificationOutcome.no_response, trail.SYSTEM, target)
    return len(due)


async def scan_overdue(now: Any = None) -> int:
    """Open rectifications whose clock turned yellow or red alert their department once per
    colour (and red ones show in supervision)."""
    sent = 0
    for fix in await Rectification.filter(state=S.open).exclude(clock_alert="red"):
        colour = deadlines.view(fix.opened_at, fix.limit_days, now=now).colour
        target = await target_of(await Rating.get(id=fix.rating_id))
        sent += await deadlines.alert_once(
            Rectification, fix.id, fix.clock_alert, colour, event_prefix="rectification",
            aggregate="rectification",
            payload={"rectification_id": fix.id, "rating_id": fix.rating_id,
                     "department_id": fix.department_id, "due_date": fix.due_date.isoformat(),
                     "due_text": f"{fix.due_date:%Y年%m月%d日}", **_words(target)})
    return sent


async def listing(scope: int | None, *, state: RectificationState | None, colour: str | None,
                  limit: int, offset: int) -> list[Rectification]:
    """A department's rectifications (``scope`` None: every department), oldest first; a colour
    filter looks at the open ones (a closed one has no clock worth chasing)."""
    query = Rectification.all() if scope is None else Rectification.filter(department_id=scope)
    if colour:
        rows = await query.filter(state=S.open).order_by("opened_at", "id")
        return [f for f in rows if deadlines.view(f.opened_at, f.limit_days).colour == colour
                ][offset:offset + limit]
    if state is not None:
        query = query.filter(state=state)
    return list(await query.order_by("id").offset(offset).limit(limit))
