"""What a citizen does with tickets: open one (from the app, H5, Alipay or a WeChat chat
keyword), list and read their own, confirm an answer or say it falls short. Another person's
ticket answers 404 like one that does not exist."""

from __future__ import annotations

from dataclasses import dataclass

from app.cases.transitions import Actor
from app.errors import Conflict, NotFound
from app.tickets import actions, trail
from app.tickets.intake import NewTicket, open_ticket
from models.cases import Case, CaseStatus
from models.catalogue import ServiceItem
from models.tickets import Ticket, TicketState, TicketType


@dataclass(frozen=True)
class TicketInput:
    type: TicketType
    subject: str
    text: str
    channel: str
    case_id: int | None = None
    item_code: str | None = None
    anonymous: bool = False
    contact_name: str | None = None
    contact_phone: str | None = None
    source_ref: str | None = None


async def create(person_id: int, data: TicketInput) -> Ticket:
    department_id = item_id = None
    if data.case_id is not None:
        case = await Case.get_or_none(id=data.case_id, person_id=person_id)
        if case is None or case.status == CaseStatus.draft:
            raise NotFound("办件不存在", code="CASE_NOT_FOUND")
        department_id, item_id = case.department_id, case.item_id
    elif data.item_code:
        item = await ServiceItem.get_or_none(code=data.item_code, published=True)
        if item is None:
            raise NotFound("事项不存在", code="ITEM_NOT_FOUND")
        department_id, item_id = item.department_id, item.id
    return await open_ticket(NewTicket(
        type=data.type, subject=data.subject, text=data.text, channel=data.channel,
        actor=trail.citizen(person_id), person_id=person_id, anonymous=data.anonymous,
        contact_name=data.contact_name, contact_phone=data.contact_phone,
        case_id=data.case_id, item_id=item_id, department_id=department_id,
        source_ref=data.source_ref))


async def mine(ticket_id: int, person_id: int) -> Ticket:
    ticket = await Ticket.get_or_none(id=ticket_id, person_id=person_id)
    if ticket is None:
        raise NotFound("工单不存在", code="TICKET_NOT_FOUND")
    return ticket


async def list_mine(person_id: int, *, state: TicketState | None, limit: int, offset: int
                    ) -> tuple[list[Ticket], int]:
    """我的咨询投诉, newest first."""
    query = Ticket.filter(person_id=person_id)
    if state is not None:
        query = query.filter(state=state)
    return list(await query.order_by("-id").offset(offset).limit(limit)), await query.count()


async def _answered(ticket_id: int, person_id: int) -> Ticket:
    ticket = await mine(ticket_id, person_id)
    if ticket.state == TicketState.merged:
        raise Conflict("重复件已并入原工单，请在原工单中操作", code="TICKET_MERGED",
                       fields={"duplicate_of": ticket.duplicate_of_id})
    return ticket


async def confirm(ticket_id: int, person_id: int) -> Ticket:
    await _answered(ticket_id, person_id)
    return await actions.confirm(ticket_id, Actor("citizen", str(person_id)))


async def reopen(ticket_id: int, person_id: int, reason: str | None) -> Ticket:
    await _answered(ticket_id, person_id)
    return await actions.dissatisfied(ticket_id, Actor("citizen", str(person_id)), reason)
