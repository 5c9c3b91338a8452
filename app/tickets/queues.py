"""Staff lists of tickets: a department's queue (by state and clock colour), the dispatch
queue, what supervision watches (督办, overdue), and the audited read of a contact."""

from __future__ import annotations

from typing import Any

from app import deadlines
from app.errors import ValidationFailed
from app.security import pii
from models.core import AuditLog
from models.tickets import Ticket, TicketState

OPEN = (TicketState.handling, TicketState.replied, TicketState.escalated)


def _scoped(scope: int | None) -> Any:
    query = Ticket.filter(department_id__isnull=False)
    return query if scope is None else query.filter(department_id=scope)


def _colour(t: Ticket) -> str | None:
    if t.clock_started_at is None:
        return None
    return deadlines.view(t.clock_started_at, t.limit_days,
                          stopped_at=t.replied_at or t.closed_at).colour


async def department_queue(scope: int | None, *, states: list[TicketState] | None,
                           colour: str | None, limit: int, offset: int) -> list[Ticket]:
    """Oldest first; a colour filter looks at tickets still being worked on."""
    query = _scoped(scope).filter(state__in=states or list(OPEN))
    if colour:
        rows = await query.filter(state__in=[TicketState.handling, TicketState.escalated]
                                  ).order_by("clock_started_at", "id")
        return [t for t in rows if _colour(t) == colour][offset:offset + limit]
    return list(await query.order_by("id").offset(offset).limit(limit))


async def dispatch_queue(*, limit: int, offset: int) -> list[Ticket]:
    return list(await Ticket.filter(state=TicketState.dispatching).order_by("id").offset(
        offset).limit(limit))


async def supervision(scope: int | None, *, limit: int) -> list[Ticket]:
    """督办 tickets and those past their deadline, oldest first."""
    rows = await _scoped(scope).filter(
        state__in=[TicketState.handling, TicketState.escalated]).order_by("id")
    return [t for t in rows if t.state == TicketState.escalated or _colour(t) == "red"][:limit]


async def reveal_contact(ticket: Ticket, *, staff_id: int, reason: str) -> dict[str, Any]:
    """The contact unmasked, for a return call; every read is in the audit log."""
    if len(reason.strip()) < 4:
        raise ValidationFailed("请填写查看原因", code="REASON_REQUIRED",
                               fields={"reason": "必填"})
    await AuditLog.create(actor_kind="staff", actor_id=str(staff_id),
                          action="ticket.contact_read", target=f"ticket:{ticket.id}",
                          detail={"reason": reason.strip()[:200]})
    if ticket.anonymous:
        return {"anonymous": True, "name": None, "phone": None}
    return {"anonymous": False,
            "name": pii.decrypt(ticket.contact_name_enc) if ticket.contact_name_enc else None,
            "phone": pii.decrypt(ticket.contact_phone_enc) if ticket.contact_phone_enc else None}
