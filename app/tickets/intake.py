"""A new ticket from any channel (app, H5, Alipay, a WeChat chat keyword, the 12345 hotline):
numbered, routed, put on its clock, or linked to the ticket it repeats.

Routing: a department named by the hotline, else the linked case's department, else the linked
item's, else the dispatch queue (a ``dispatcher`` assigns it). The deadline is the type's
(``ticket_limit_days``, working days on the case calendar) unless the hotline set one, counted
from the day the ticket reaches a department. The same person (or, for a caller without an
account, the same phone) on the same subject within a day is a duplicate: it is linked to the
first, answered through it, and closed as merged.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.expressions import Q
from tortoise.transactions import in_transaction

from app import clock, deadlines
from app.cases.numbering import next_number
from app.cases.transitions import Actor
from app.errors import ValidationFailed
from app.security import pii
from app.settings import get_settings
from app.tickets import trail
from models.identity import Person
from models.tickets import CloseReason, Ticket, TicketState, TicketType

DUPLICATE_WINDOW = timedelta(days=1)
OPEN_STATES = (TicketState.dispatching, TicketState.handling, TicketState.replied,
               TicketState.escalated)


@dataclass(frozen=True)
class NewTicket:
    type: TicketType
    subject: str
    text: str
    channel: str
    actor: Actor
    person_id: int | None = None
    anonymous: bool = False
    contact_name: str | None = None
    contact_phone: str | None = None
    case_id: int | None = None  # the caller checked it is the person's own
    item_id: int | None = None
    department_id: int | None = None  # the department whose case or item it is, or the hotline's
    limit_days: int | None = None
    source_ref: str | None = None


def subject_key(kind: TicketType, subject: str) -> str:
    """Subjects that differ only in spaces, punctuation, width or case are the same."""
    text = unicodedata.normalize("NFKC", subject).lower()
    text = re.sub(r"[\s\W_]+", "", text)
    return hashlib.sha256(f"{kind.value}|{text}".encode()).hexdigest()


def anonymous_allowed(kind: TicketType) -> bool:
    allowed = {t.strip() for t in get_settings().ticket_anonymous_types.split(",")}
    return kind.value in allowed


async def _contact(new: NewTicket) -> tuple[str | None, str | None, str | None]:
    """Sealed name and phone and the phone's blind index (none for an anonymous ticket)."""
    if new.anonymous:
        return None, None, None
    name = pii.encrypt(new.contact_name) if new.contact_name else None
    phone = pii.encrypt(new.contact_phone) if new.contact_phone else None
    bidx = pii.blind_index(new.contact_phone, "phone") if new.contact_phone else None
    if new.person_id is not None and (name is None or phone is None):
        person = await Person.get(id=new.person_id)
        name = name or person.name_enc
        if phone is None:
            phone, bidx = person.phone_enc, person.phone_bidx
    return name, phone, bidx


async def _original(conn: BaseDBAsyncClient, new: NewTicket, key: str, phone_bidx: str | None
                    ) -> Ticket | None:
    if new.person_id is not None:
        same = Q(person_id=new.person_id)
    elif phone_bidx is not None:
        same = Q(contact_phone_bidx=phone_bidx)
    else:
        return None  # an anonymous caller cannot be told apart
    return await Ticket.filter(same, subject_key=key, state__in=OPEN_STATES,
                               created_at__gte=clock.now() - DUPLICATE_WINDOW).order_by(
        "id").using_db(conn).first()


async def open_ticket(new: NewTicket) -> Ticket:
    """The new ticket; for a ``source_ref`` already taken (a redelivery), the ticket it made."""
    if new.anonymous and not anonymous_allowed(new.type):
        raise ValidationFailed("该类型不能匿名提交", code="TICKET_ANONYMOUS_NOT_ALLOWED",
                               fields={"anonymous": "不允许"})
    if new.source_ref and (done := await Ticket.get_or_none(source_ref=new.source_ref)):
        return done
    name, phone, bidx = await _contact(new)
    key = subject_key(new.type, new.subject)
    try:
        async with in_transaction() as conn:
            return await _create(conn, new, key, name, phone, bidx)
    except IntegrityError:  # the same source_ref at the same moment: the other one made it
        if new.source_ref and (done := await Ticket.get_or_none(source_ref=new.source_ref)):
            return done
        raise


async def _create(conn: BaseDBAsyncClient, new: NewTicket, key: str, name: str | None,
                  phone: str | None, bidx: str | None) -> Ticket:
    now = clock.now()
    original = await _original(conn, new, key, bidx)
    limit = new.limit_days or get_settings().ticket_limit_days.get(new.type.value, 5)
    department = original.department_id if original else new.department_id
    ticket = await Ticket.create(
        number="T" + await next_number(conn, now, counter="ticket_number_counter"),
        type=new.type, subject=new.subject.strip()[:60], subject_key=key,
        text_enc=pii.encrypt(new.text.strip()), channel=new.channel,
        source_ref=new.source_ref, person_id=new.person_id, anonymous=new.anonymous,
        contact_name_enc=name, contact_phone_enc=phone, contact_phone_bidx=bidx,
        case_id=new.case_id, item_id=new.item_id, department_id=department,
        state=TicketState.merged if original else (
            TicketState.handling if department else TicketState.dispatching),
        limit_days=limit, clock_started_at=now if department and not original else None,
        due_date=deadlines.due_date(now, limit) if department and not original else None,
        duplicate_of_id=original.id if original else None,
        closed_at=now if original else None,
        close_reason=CloseReason.duplicate if original else None, using_db=conn)
    await trail.step(conn, ticket, "created", new.actor, to=ticket.state,
                     to_department=department)
    if original is not None:
        await trail.step(conn, ticket, "merged", trail.SYSTEM, to=TicketState.merged,
                         reason=f"重复件，并入{original.number}")
    elif department is not None:
        await trail.step(conn, ticket, "assigned", new.actor, to=TicketState.handling,
                         to_department=department, event="ticket.assigned",
                         extra={"due_date": ticket.due_date.isoformat() if ticket.due_date
                                else None})
    return ticket
