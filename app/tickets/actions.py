"""What happens to a ticket after it is opened: assigned by a dispatcher, transferred between
departments with a reason, answered, confirmed or found wanting (reopened once, then
escalated to supervision), closed by the department or by itself when nobody confirms.

Each action locks the ticket row, checks the move (409 otherwise, nothing written), records
the step and tells the outbox, in one transaction. Who may act is the caller's business: the
department scope arrives as ``sees`` (the one rule, ``StaffPrincipal.sees_department``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app import clock, deadlines
from app.cases.transitions import Actor
from app.errors import Conflict, NotFound
from app.scoped import Sees, visible
from app.settings import get_settings
from app.tickets import trail
from app.tickets.words import STATE_NAMES
from models.core import Department
from models.tickets import CloseReason, Ticket, TicketReply, TicketState

S = TicketState
WORKING = (S.handling, S.escalated)


def _refuse(ticket: Ticket, what: str) -> Conflict:
    state = STATE_NAMES[TicketState(ticket.state)]
    return Conflict(f"工单当前状态为“{state}”，不能{what}", code="TICKET_STATE",
                    fields={"state": str(ticket.state)})


async def _locked(conn: BaseDBAsyncClient, ticket_id: int) -> Ticket:
    return await Ticket.select_for_update().using_db(conn).get(id=ticket_id)


async def for_department(ticket_id: int, sees: Sees) -> Ticket:
    """A ticket of a department the reader sees; 404 for anyone else's (and for one waiting to
    be dispatched: that is the dispatchers' queue, not a department's)."""
    ticket = await visible(Ticket, ticket_id, sees, "工单不存在", "TICKET_NOT_FOUND")
    if ticket.department_id is None:
        raise NotFound("工单不存在", code="TICKET_NOT_FOUND")
    return ticket


async def department(code: str) -> Department:
    dept = await Department.get_or_none(code=code)
    if dept is None:
        raise NotFound("部门不存在", code="DEPARTMENT_NOT_FOUND")
    return dept


def _start_clock(ticket: Ticket, now: datetime) -> None:
    ticket.clock_started_at, ticket.clock_alert = now, ""
    ticket.due_date = deadlines.due_date(now, ticket.limit_days)


async def assign(ticket_id: int, department_id: int, actor: Actor, reason: str | None) -> Ticket:
    """派单: a ticket in the dispatch queue goes to a department; its clock starts."""
    async with in_transaction() as conn:
        ticket = await _locked(conn, ticket_id)
        if ticket.state != S.dispatching:
            raise _refuse(ticket, "派单")
        ticket.state, ticket.department_id = S.handling, department_id
        _start_clock(ticket, clock.now())
        await ticket.save(using_db=conn)
        await trail.step(conn, ticket, "assigned", actor, frm=S.dispatching, to=S.handling,
                         to_department=department_id, reason=reason, event="ticket.assigned",
                         extra={"due_date": ticket.due_date.isoformat() if ticket.due_date
                                else None})
    return ticket


async def transfer(ticket_id: int, *, sees: Sees, to_department_id: int | None, actor: Actor,
                   reason: str) -> Ticket:
    """转办 to another department (the clock runs on), or back to the dispatch queue."""
    await for_department(ticket_id, sees)
    async with in_transaction() as conn:
        ticket = await _locked(conn, ticket_id)
        if ticket.state not in WORKING:
            raise _refuse(ticket, "转办")
        if to_department_id == ticket.department_id:
            raise Conflict("不能转办给本部门", code="TICKET_SAME_DEPARTMENT")
        frm, from_dept = ticket.state, ticket.department_id
        ticket.department_id = to_department_id
        if to_department_id is None:
            ticket.state = S.dispatching
        await ticket.save(using_db=conn)
        await trail.step(conn, ticket, "transferred", actor, frm=frm, to=ticket.state,
                         from_department=from_dept, to_department=to_department_id,
                         reason=reason, event="ticket.assigned" if to_department_id else None,
                         extra={"due_date": ticket.due_date.isoformat() if ticket.due_date
                                else None, "reason": reason})
    return ticket


async def reply(ticket_id: int, *, sees: Sees, staff_id: int, text: str) -> TicketReply:
    """答复: the contact is told (their channels, or the 12345 system) and asked to confirm."""
    await for_department(ticket_id, sees)
    async with in_transaction() as conn:
        ticket = await _locked(conn, ticket_id)
        if ticket.state not in WORKING:
            raise _refuse(ticket, "答复")
        now = clock.now()
        assert ticket.department_id is not None
        answer = await TicketReply.create(ticket_id=ticket.id, department_id=ticket.department_id,
                                          staff_id=staff_id, text=text.strip(), at=now,
                                          using_db=conn)
        frm = ticket.state
        ticket.state, ticket.replied_at = S.replied, now
        await ticket.save(using_db=conn)
        await trail.step(conn, ticket, "replied", trail.staff(staff_id), frm=frm, to=S.replied,
                         event="ticket.replied", extra={"reply_id": answer.id},
                         tell_person=True)
        # duplicates the hotline sent are answered under their own numbers too
        for child in await Ticket.filter(duplicate_of_id=ticket.id, state=S.merged,
                                         source_ref__startswith="hotline:").using_db(conn):
            await trail.step(conn, child, "replied", trail.staff(staff_id),
                             reason=f"随原工单{ticket.number}答复", event="ticket.replied",
                             extra={"reply_id": answer.id, "department_id": ticket.department_id})
    return answer


async def confirm(ticket_id: int, actor: Actor) -> Ticket:
    async with in_transaction() as conn:
        ticket = await _locked(conn, ticket_id)
        if ticket.state != S.replied:
            raise _refuse(ticket, "确认")
        await _close(conn, ticket, CloseReason.confirmed, actor, None)
    return ticket


async def dissatisfied(ticket_id: int, actor: Actor, reason: str | None) -> Ticket:
    """Not satisfied with the answer: reopened once (a fresh deadline), then 督办."""
    async with in_transaction() as conn:
        ticket = await _locked(conn, ticket_id)
        if ticket.state != S.replied:
            raise _refuse(ticket, "重新办理")
        now = clock.now()
        if ticket.reopen_count == 0:
            ticket.state, ticket.reopen_count = S.handling, 1
            _start_clock(ticket, now)
            action, event = "reopened", "ticket.reopened"
        else:
            ticket.state, ticket.escalated_at = S.escalated, now
            action, event = "escalated", "ticket.escalated"
        ticket.replied_at = None
        await ticket.save(using_db=conn)
        await trail.step(conn, ticket, action, actor, frm=S.replied, to=ticket.state,
                         reason=reason, event=event, extra={"reason": reason or "未说明"})
    return ticket


async def close(ticket_id: int, *, sees: Sees, actor: Actor, reason: str) -> Ticket:
    await for_department(ticket_id, sees)
    async with in_transaction() as conn:
        ticket = await _locked(conn, ticket_id)
        if ticket.state not in (*WORKING, S.replied):
            raise _refuse(ticket, "办结")
        await _close(conn, ticket, CloseReason.staff, actor, reason)
    return ticket


async def _close(conn: BaseDBAsyncClient, ticket: Ticket, why: CloseReason, actor: Actor,
                 reason: str | None) -> None:
    frm = ticket.state
    ticket.state, ticket.closed_at, ticket.close_reason = S.closed, clock.now(), why
    await ticket.save(using_db=conn)
    await trail.step(conn, ticket, "closed", actor, frm=frm, to=S.closed,
                     reason=reason or why.value)


async def expire_confirmations(now: datetime | None = None, batch: int = 200) -> int:
    """Answers nobody confirmed within ``ticket_confirm_days`` close by themselves."""
    cutoff = (now or clock.now()) - timedelta(days=get_settings().ticket_confirm_days)
    due = await Ticket.filter(state=S.replied, replied_at__lt=cutoff).limit(batch)
    closed = 0
    for t in due:
        async with in_transaction() as conn:
            ticket = await _locked(conn, t.id)
            if ticket.state == S.replied:
                await _close(conn, ticket, CloseReason.no_response, trail.SYSTEM, None)
                closed += 1
    return closed


async def scan_overdue(now: datetime | None = None) -> int:
    """Tickets being handled whose deadline turned yellow or red alert their department once
    per colour."""
    sent = 0
    for t in await Ticket.filter(state__in=WORKING, clock_started_at__isnull=False).exclude(
            clock_alert="red"):
        assert t.clock_started_at is not None
        colour = deadlines.view(t.clock_started_at, t.limit_days, now=now).colour
        sent += await deadlines.alert_once(
            Ticket, t.id, t.clock_alert, colour, event_prefix="ticket", aggregate="ticket",
            payload={**trail.words(t), "due_date": t.due_date.isoformat() if t.due_date
                     else None})
    return sent
