"""Tickets as answers. The citizen sees their own ticket and its answers; staff of the
handling department also see the contact, masked (an anonymous one shows none); a dispatcher
sees what the ticket is about, never who sent it."""

from __future__ import annotations

from typing import Any

from app import attachments, clock, deadlines
from app.security import pii
from app.tickets.words import CLOSE_NAMES, STATE_NAMES, TYPE_NAMES
from models.core import Department
from models.tickets import (
    AttachmentOwner,
    CloseReason,
    Ticket,
    TicketEvent,
    TicketReply,
    TicketState,
    TicketType,
)


def summary(t: Ticket) -> dict[str, Any]:
    state = TicketState(t.state)
    return {
        "id": t.id, "number": t.number, "type": str(t.type),
        "type_name": TYPE_NAMES[TicketType(t.type)], "subject": t.subject,
        "channel": t.channel, "state": state.value, "state_name": STATE_NAMES[state],
        "anonymous": t.anonymous, "case_id": t.case_id, "item_id": t.item_id,
        "department_id": t.department_id, "duplicate_of": t.duplicate_of_id,
        "created_at": clock.iso(t.created_at), "replied_at": clock.iso(t.replied_at),
        "closed_at": clock.iso(t.closed_at),
        "close_reason": str(t.close_reason) if t.close_reason else None,
        "close_reason_name": CLOSE_NAMES[CloseReason(t.close_reason)] if t.close_reason else None,
        "clock": _clock(t),
    }


def _clock(t: Ticket) -> dict[str, Any] | None:
    stopped = t.replied_at or t.closed_at
    return deadlines.summary(t.clock_started_at, t.limit_days, stopped_at=stopped)


async def _replies(t: Ticket) -> list[dict[str, Any]]:
    source = t.duplicate_of_id if t.state == TicketState.merged and t.duplicate_of_id else t.id
    rows = await TicketReply.filter(ticket_id=source).order_by("id")
    names = dict(await Department.filter(id__in={r.department_id for r in rows}).values_list(
        "id", "name")) if rows else {}
    return [{"id": r.id, "text": r.text, "at": clock.iso(r.at),
             "department_name": names.get(r.department_id, "")} for r in rows]


async def for_citizen(t: Ticket) -> dict[str, Any]:
    out = summary(t)
    out.update(
        text=pii.decrypt(t.text_enc), replies=await _replies(t),
        attachments=await attachments.of(AttachmentOwner.ticket, t.id),
        can_confirm=t.state == TicketState.replied, can_reopen=t.state == TicketState.replied,
        can_rate=t.replied_at is not None and t.state != TicketState.merged,
    )
    return out


def contact(t: Ticket) -> dict[str, Any]:
    if t.anonymous:
        return {"anonymous": True, "name": None, "phone": None}
    name = pii.decrypt(t.contact_name_enc) if t.contact_name_enc else None
    phone = pii.decrypt(t.contact_phone_enc) if t.contact_phone_enc else None
    return {"anonymous": False, "name": pii.mask_name(name), "phone": pii.mask_phone(phone)}


async def for_staff(t: Ticket, *, department: bool) -> dict[str, Any]:
    """``department``: the reader is the handling department (it sees the contact, masked)."""
    out = summary(t)
    events = await TicketEvent.filter(ticket_id=t.id).order_by("id")
    out.update(
        text=pii.decrypt(t.text_enc), replies=await _replies(t),
        attachments=await attachments.of(AttachmentOwner.ticket, t.id),
        reopen_count=t.reopen_count, escalated_at=clock.iso(t.escalated_at),
        limit_days=t.limit_days, contact=contact(t) if department else None,
        duplicates=[{"id": d.id, "number": d.number, "created_at": clock.iso(d.created_at)}
                    for d in await Ticket.filter(duplicate_of_id=t.id).order_by("id")],
        trail=[{"action": e.action, "actor_kind": e.actor_kind,
                "actor_id": e.actor_id if e.actor_kind in ("staff", "system") else None,
                "from": e.from_state, "to": e.to_state,
                "from_department_id": e.from_department_id,
                "to_department_id": e.to_department_id, "reason": e.reason,
                "at": clock.iso(e.at)} for e in events],
    )
    return out
