"""Every step of a ticket recorded (``TicketEvent``: who, when, from, to, why) and, where
someone must hear of it, told to the outbox, in the caller's transaction."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app import clock
from app.cases.transitions import Actor
from app.outbox import emit
from app.tickets.words import TYPE_NAMES
from models.tickets import Ticket, TicketEvent, TicketType

SYSTEM = Actor("system", "tickets")
HOTLINE = Actor("platform", "12345", "12345热线")


def citizen(person_id: int) -> Actor:
    return Actor("citizen", str(person_id))


def staff(staff_id: int) -> Actor:
    return Actor("staff", str(staff_id))


def words(ticket: Ticket) -> dict[str, Any]:
    """What messages and alerts say of a ticket (never its text, never its contact)."""
    return {"ticket_id": ticket.id, "ticket_no": ticket.number,
            "type_name": TYPE_NAMES[TicketType(ticket.type)], "subject": ticket.subject,
            "department_id": ticket.department_id, "case_id": ticket.case_id,
            "hotline_ticket_no": ticket.source_ref.removeprefix("hotline:")
            if ticket.source_ref and ticket.source_ref.startswith("hotline:") else None}


async def step(conn: BaseDBAsyncClient, ticket: Ticket, action: str, actor: Actor, *,
               frm: str | None = None, to: str | None = None, from_department: int | None = None,
               to_department: int | None = None, reason: str | None = None,
               event: str | None = None, extra: dict[str, Any] | None = None,
               tell_person: bool = False) -> None:
    await TicketEvent.create(
        ticket_id=ticket.id, action=action, actor_kind=actor.kind, actor_id=actor.id,
        from_state=frm, to_state=to, from_department_id=from_department,
        to_department_id=to_department, reason=reason, at=clock.now(), using_db=conn)
    if event is not None:
        await emit(event, aggregate="ticket", aggregate_id=ticket.id,
                   payload={**words(ticket), **(extra or {})},
                   person_id=ticket.person_id if tell_person else None, connection=conn)
