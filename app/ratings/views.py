"""Ratings as answers: the citizen sees their own words and the department's reply; staff see
the rating, its 整改 and 申诉, never who gave it."""

from __future__ import annotations

from typing import Any

from app import clock, deadlines
from app.ratings import content
from app.security import pii
from models.cases import Case
from models.ratings import (
    Appeal,
    Level,
    Rating,
    RatingEvent,
    Rectification,
    RectificationState,
)
from models.tickets import Ticket


def _level(rating_level: int) -> dict[str, Any]:
    level = Level(rating_level)
    return {"level": int(level), "level_name": content.LEVEL_NAMES[level],
            "bad": level in content.BAD}


def rectification(fix: Rectification, *, staff: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": fix.id, "state": str(fix.state), "due_date": fix.due_date.isoformat(),
        "reply": fix.reply, "replied_at": clock.iso(fix.replied_at),
        "revisit_until": clock.iso(fix.revisit_until),
        "outcome": str(fix.outcome) if fix.outcome else None,
        "closed_at": clock.iso(fix.closed_at),
    }
    if staff:
        out.update(
            rating_id=fix.rating_id, department_id=fix.department_id, measures=fix.measures,
            opened_at=clock.iso(fix.opened_at), limit_days=fix.limit_days,
            replied_by=fix.replied_by,
            clock=deadlines.summary(fix.opened_at, fix.limit_days, stopped_at=fix.replied_at
                                    or fix.closed_at))
    return out


def subject(rating: Rating, case: Case | None, ticket: Ticket | None) -> dict[str, Any]:
    if case is not None:
        return {"kind": "case", "id": case.id, "number": case.number, "title": case.item_name}
    assert ticket is not None
    return {"kind": "ticket", "id": ticket.id, "number": ticket.number, "title": ticket.subject}


def for_citizen(rating: Rating, fix: Rectification | None, *, case: Case | None = None,
                ticket: Ticket | None = None) -> dict[str, Any]:
    now = clock.now()
    awaiting = (fix is not None and fix.state == RectificationState.replied
                and fix.revisit_until is not None and now <= fix.revisit_until)
    out = {
        "id": rating.id, **_level(rating.level), "tags": list(rating.tags),
        "comment": pii.decrypt(rating.comment_enc) if rating.comment_enc else None,
        "channel": rating.channel, "content_version": rating.content_version,
        "revision": rating.revision, "created_at": clock.iso(rating.created_at),
        "updated_at": clock.iso(rating.updated_at), "excluded": rating.excluded,
        "excluded_reason": rating.excluded_reason if rating.excluded else None,
        "change_until": clock.iso(rating.change_until),
        "can_change": (not rating.excluded and not rating.changed and now <= rating.change_until
                       and (fix is None or fix.state == RectificationState.open)),
        "can_rerate": bool(awaiting and not rating.followed_up and not rating.excluded),
        "rectification": rectification(fix, staff=False) if fix else None,
    }
    if case is not None or ticket is not None:
        out["subject"] = subject(rating, case, ticket)
    return out


def appeal(a: Appeal) -> dict[str, Any]:
    return {"id": a.id, "rating_id": a.rating_id, "department_id": a.department_id,
            "state": str(a.state), "reason": a.reason, "filed_by": a.filed_by,
            "created_at": clock.iso(a.created_at), "decided_by": a.decided_by,
            "decided_at": clock.iso(a.decided_at), "decision_note": a.decision_note}


async def for_staff(rating: Rating, *, full: bool = False) -> dict[str, Any]:
    fix = await Rectification.get_or_none(rating_id=rating.id)
    case = await Case.get_or_none(id=rating.case_id) if rating.case_id else None
    ticket = await Ticket.get_or_none(id=rating.ticket_id) if rating.ticket_id else None
    out: dict[str, Any] = {
        "id": rating.id, **_level(rating.level), "tags": list(rating.tags),
        "comment": pii.decrypt(rating.comment_enc) if rating.comment_enc else None,
        "channel": rating.channel, "department_id": rating.department_id,
        "revision": rating.revision, "excluded": rating.excluded,
        "created_at": clock.iso(rating.created_at), "updated_at": clock.iso(rating.updated_at),
        "subject": subject(rating, case, ticket),
        "rectification": rectification(fix, staff=True) if fix else None,
        "appeal": appeal(a) if (a := await Appeal.get_or_none(rating_id=rating.id)) else None,
    }
    if full:
        out["trail"] = [
            {"subject": e.subject, "action": e.action, "actor_kind": e.actor_kind,
             "actor_id": e.actor_id if e.actor_kind != "citizen" else None,
             "from": e.from_state, "to": e.to_state, "note": e.note, "at": clock.iso(e.at)}
            for e in await RatingEvent.filter(rating_id=rating.id).order_by("id")]
    return out
