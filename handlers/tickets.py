"""Citizen 12345 ticket endpoints (咨询 / 投诉 / 建议 / 求助 / 举报): open one, list and read
my own (我的咨询投诉), attach files, confirm an answer or reopen it. Another person's ticket
answers 404."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse
from sanic_ext import openapi

from app import attachments
from app.context import AppRequest
from app.errors import Conflict, ValidationFailed
from app.handler_kit import body, doc, ok, query, returns, row_id
from app.security.auth import citizen_required
from app.tickets import service, views
from app.tickets.schemas import MineQuery, ReopenIn, TicketIn, TicketListOut, TicketOut
from models.tickets import AttachmentOwner, TicketState

bp = Blueprint("tickets")
TAG = "tickets"
FINISHED = (TicketState.closed, TicketState.merged)


def _id(ticket_id: int) -> int:
    return row_id(ticket_id, "工单不存在", "TICKET_NOT_FOUND")


@bp.post("/api/v1/tickets")
@doc("Open a ticket; routed by its case or item, else dispatched; duplicates within a day "
     "are linked", TAG)
@citizen_required
@body(TicketIn)
@returns(TicketOut, status=201)
async def create_ticket(request: AppRequest) -> HTTPResponse:
    b: TicketIn = request.ctx.body
    channel = b.channel or request.ctx.token_claims.get("channel") or "app"
    ticket = await service.create(request.ctx.person_id, service.TicketInput(
        type=b.type, subject=b.subject, text=b.text, channel=channel, case_id=b.case_id,
        item_code=b.item_code, anonymous=b.anonymous, contact_name=b.contact_name,
        contact_phone=b.contact_phone))
    return ok(await views.for_citizen(ticket), status=201)


async def _list(request: AppRequest) -> HTTPResponse:
    q: MineQuery = request.ctx.query
    rows, total = await service.list_mine(request.ctx.person_id, state=q.state, limit=q.limit,
                                          offset=q.offset)
    return ok({"items": [views.summary(t) for t in rows], "total": total})


@bp.get("/api/v1/tickets")
@doc("My tickets, newest first", TAG)
@citizen_required
@query(MineQuery)
@returns(TicketListOut)
async def list_tickets(request: AppRequest) -> HTTPResponse:
    return await _list(request)


@bp.get("/api/v1/me/tickets")
@doc("我的咨询投诉 (the user centre's list of my tickets)", "user centre")
@citizen_required
@query(MineQuery)
@returns(TicketListOut)
async def my_tickets(request: AppRequest) -> HTTPResponse:
    return await _list(request)


@bp.get("/api/v1/tickets/<ticket_id:int>")
@doc("One of my tickets with its answers", TAG)
@citizen_required
@returns(TicketOut)
async def read_ticket(request: AppRequest, ticket_id: int) -> HTTPResponse:
    return ok(await views.for_citizen(await service.mine(_id(ticket_id), request.ctx.person_id)))


@bp.post("/api/v1/tickets/<ticket_id:int>/attachments")
@doc("Attach a file to my open ticket (multipart: file; PDF, JPG, PNG or OFD, the material "
     "limits)", TAG)
@openapi.body({"multipart/form-data": {"type": "object", "properties": {
    "file": {"type": "string", "format": "binary"}}}}, required=True)
@citizen_required
@returns(TicketOut, status=201)
async def attach(request: AppRequest, ticket_id: int) -> HTTPResponse:
    ticket = await service.mine(_id(ticket_id), request.ctx.person_id)
    if ticket.state in FINISHED:
        raise Conflict("工单已办结，不能再添加附件", code="TICKET_STATE")
    upload = request.files.get("file") if request.files else None
    if upload is None:
        raise ValidationFailed(fields={"file": "必填"})
    await attachments.attach(AttachmentOwner.ticket, ticket.id, filename=upload.name or "",
                             content=upload.body, uploaded_by=f"citizen:{request.ctx.person_id}")
    return ok(await views.for_citizen(ticket), status=201)


@bp.post("/api/v1/tickets/<ticket_id:int>/confirm")
@doc("The answer settles it: close my ticket", TAG)
@citizen_required
@returns(TicketOut)
async def confirm(request: AppRequest, ticket_id: int) -> HTTPResponse:
    ticket = await service.confirm(_id(ticket_id), request.ctx.person_id)
    return ok(await views.for_citizen(ticket))


@bp.post("/api/v1/tickets/<ticket_id:int>/reopen")
@doc("Not satisfied with the answer: reopened once, then escalated (督办)", TAG)
@citizen_required
@body(ReopenIn, optional=True)
@returns(TicketOut)
async def reopen(request: AppRequest, ticket_id: int) -> HTTPResponse:
    ticket = await service.reopen(_id(ticket_id), request.ctx.person_id, request.ctx.body.reason)
    return ok(await views.for_citizen(ticket))
