"""Staff 12345 ticket endpoints: the department's queue and its actions (transfer, reply,
close, the audited read of a contact), the dispatchers' queue (派单), and what supervision
watches. Department data is seen under the one scope rule; a dispatcher sees only tickets
no department holds yet, and never who sent them."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.errors import NotFound, ValidationFailed
from app.handler_kit import body, doc, ok, query, returns, row_id
from app.security.auth import staff_required
from app.tickets import actions, queues, trail, views
from app.tickets.schemas import (
    AssignIn,
    CloseIn,
    ContactOut,
    QueueOut,
    QueueQuery,
    RevealIn,
    StaffReplyIn,
    StaffTicketOut,
    TicketSummaryOut,
    TransferIn,
)
from models.tickets import Ticket, TicketState

bp = Blueprint("staff_tickets", url_prefix="/api/v1/staff")
TAG = "staff-tickets"
HANDLERS = ("clerk", "reviewer")
READERS = ("clerk", "reviewer", "supervisor")
DISPATCHER = ("dispatcher",)
SUPERVISOR = ("supervisor",)


def _id(ticket_id: int) -> int:
    return row_id(ticket_id, "工单不存在", "TICKET_NOT_FOUND")


def _states(text: str | None) -> list[TicketState] | None:
    if not text:
        return None
    try:
        return [TicketState(s.strip()) for s in text.split(",") if s.strip()]
    except ValueError as exc:
        raise ValidationFailed(fields={"state": "取值不在允许范围内"}) from exc


async def _mine(request: AppRequest, ticket_id: int) -> Ticket:
    return await actions.for_department(_id(ticket_id), request.ctx.staff.sees_department)


async def _answer(ticket: Ticket) -> HTTPResponse:
    return ok(await views.for_staff(await Ticket.get(id=ticket.id), department=True))


@bp.get("/tickets")
@doc("My department's tickets, oldest first (by state, or clock colour)", TAG)
@staff_required(*HANDLERS)
@query(QueueQuery)
@returns(QueueOut)
async def queue(request: AppRequest) -> HTTPResponse:
    q: QueueQuery = request.ctx.query
    rows = await queues.department_queue(request.ctx.staff.department_scope,
                                         states=_states(q.state), colour=q.colour,
                                         limit=q.limit, offset=q.offset)
    return ok({"items": [views.summary(t) for t in rows]})


@bp.get("/tickets/<ticket_id:int>")
@doc("A ticket of my department: text, contact (masked), answers, trail", TAG)
@staff_required(*READERS)
@returns(StaffTicketOut)
async def read_ticket(request: AppRequest, ticket_id: int) -> HTTPResponse:
    return await _answer(await _mine(request, ticket_id))


@bp.post("/tickets/<ticket_id:int>/transfer")
@doc("转办 to another department with the reason (none named: back to dispatch)", TAG)
@staff_required(*HANDLERS)
@body(TransferIn)
@returns(TicketSummaryOut)
async def transfer(request: AppRequest, ticket_id: int) -> HTTPResponse:
    b: TransferIn = request.ctx.body
    staff = request.ctx.staff
    target = (await actions.department(b.department_code)).id if b.department_code else None
    ticket = await actions.transfer(_id(ticket_id), sees=staff.sees_department,
                                    to_department_id=target, actor=trail.staff(staff.id),
                                    reason=b.reason)
    return ok(views.summary(ticket))  # no longer ours to read in full


@bp.post("/tickets/<ticket_id:int>/reply")
@doc("Answer the ticket (the contact is told, a 12345 ticket is answered to the hotline)", TAG)
@staff_required(*HANDLERS)
@body(StaffReplyIn)
@returns(StaffTicketOut)
async def reply(request: AppRequest, ticket_id: int) -> HTTPResponse:
    staff = request.ctx.staff
    answer = await actions.reply(_id(ticket_id), sees=staff.sees_department, staff_id=staff.id,
                                 text=request.ctx.body.text)
    return await _answer(await Ticket.get(id=answer.ticket_id))


@bp.post("/tickets/<ticket_id:int>/close")
@doc("Close the ticket with the reason", TAG)
@staff_required(*HANDLERS)
@body(CloseIn)
@returns(StaffTicketOut)
async def close(request: AppRequest, ticket_id: int) -> HTTPResponse:
    staff = request.ctx.staff
    ticket = await actions.close(_id(ticket_id), sees=staff.sees_department,
                                 actor=trail.staff(staff.id), reason=request.ctx.body.reason)
    return await _answer(ticket)


@bp.post("/tickets/<ticket_id:int>/contact")
@doc("The contact unmasked for a return call, with the reason (audited)", TAG)
@staff_required(*HANDLERS)
@body(RevealIn)
@returns(ContactOut)
async def reveal_contact(request: AppRequest, ticket_id: int) -> HTTPResponse:
    ticket = await _mine(request, ticket_id)
    return ok(await queues.reveal_contact(ticket, staff_id=request.ctx.staff.id,
                                          reason=request.ctx.body.reason))


@bp.get("/tickets/dispatch")
@doc("派单: tickets no department holds yet, oldest first", TAG)
@staff_required(*DISPATCHER)
@query(QueueQuery)
@returns(QueueOut)
async def dispatch_queue(request: AppRequest) -> HTTPResponse:
    q: QueueQuery = request.ctx.query
    rows = await queues.dispatch_queue(limit=q.limit, offset=q.offset)
    return ok({"items": [views.summary(t) for t in rows]})


async def _undispatched(ticket_id: int) -> Ticket:
    ticket = await Ticket.get_or_none(id=_id(ticket_id), state=TicketState.dispatching)
    if ticket is None:
        raise NotFound("工单不存在", code="TICKET_NOT_FOUND")
    return ticket


@bp.get("/tickets/dispatch/<ticket_id:int>")
@doc("A ticket waiting to be dispatched (what it is about; not who sent it)", TAG)
@staff_required(*DISPATCHER)
@returns(StaffTicketOut)
async def read_undispatched(request: AppRequest, ticket_id: int) -> HTTPResponse:
    return ok(await views.for_staff(await _undispatched(ticket_id), department=False))


@bp.post("/tickets/dispatch/<ticket_id:int>/assign")
@doc("派单 to a department; its deadline starts", TAG)
@staff_required(*DISPATCHER)
@body(AssignIn)
@returns(StaffTicketOut)
async def assign(request: AppRequest, ticket_id: int) -> HTTPResponse:
    b: AssignIn = request.ctx.body
    await _undispatched(ticket_id)
    dept = await actions.department(b.department_code)
    ticket = await actions.assign(_id(ticket_id), dept.id, trail.staff(request.ctx.staff.id),
                                  b.reason)
    return ok(await views.for_staff(ticket, department=False))


@bp.get("/supervision/tickets")
@doc("督办 and overdue tickets, oldest first", TAG)
@staff_required(*SUPERVISOR)
@query(QueueQuery)
@returns(QueueOut)
async def supervision(request: AppRequest) -> HTTPResponse:
    q: QueueQuery = request.ctx.query
    rows = await queues.supervision(request.ctx.staff.department_scope, limit=q.limit)
    return ok({"items": [views.summary(t) for t in rows]})
