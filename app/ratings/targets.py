"""What a rating is of: one's own case after 办结, or one's own ticket once answered.

Someone else's case or ticket answers 404 like one that does not exist; one that cannot be
rated yet (or ever) answers 409 with a code saying why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.errors import Conflict, NotFound
from models.cases import Case, CaseStatus
from models.ratings import RatedKind
from models.tickets import Ticket, TicketState

# 办结: completed, and 不予受理 (the case ended at the door; its applicant may rate that too)
RATEABLE_CASES = frozenset({CaseStatus.completed, CaseStatus.refused})


@dataclass(frozen=True)
class Target:
    kind: RatedKind
    id: int
    number: str
    department_id: int
    item_id: int | None
    item_name: str | None
    company: bool = False

    @property
    def filter(self) -> dict[str, Any]:
        """The rating's own columns naming this target."""
        return {"case_id": self.id} if self.kind is RatedKind.case else {"ticket_id": self.id}

    @property
    def text(self) -> str:
        """How people are told which one (staff alerts, messages)."""
        if self.kind is RatedKind.case:
            return f"办件“{self.item_name}”（{self.number}）"
        return f"工单（{self.number}）"


def of_case(case: Case) -> Target:
    return Target(RatedKind.case, case.id, case.number, case.department_id, case.item_id,
                  case.item_name, company=case.company_id is not None)


def of_ticket(ticket: Ticket) -> Target:
    """A ticket with a department (an answered one; a rating is only of such)."""
    if ticket.department_id is None:
        raise Conflict("工单答复后才能评价", code="TICKET_NOT_RATEABLE")
    return Target(RatedKind.ticket, ticket.id, ticket.number, ticket.department_id,
                  ticket.item_id, None)


async def _case(case_id: int, person_id: int) -> Case:
    case = await Case.get_or_none(id=case_id, person_id=person_id)
    if case is None or case.status == CaseStatus.draft:
        raise NotFound("办件不存在", code="CASE_NOT_FOUND")
    return case


async def _ticket(ticket_id: int, person_id: int) -> Ticket:
    ticket = await Ticket.get_or_none(id=ticket_id, person_id=person_id)
    if ticket is None:
        raise NotFound("工单不存在", code="TICKET_NOT_FOUND")
    return ticket


async def owned(kind: RatedKind, target_id: int, person_id: int) -> Target:
    """The person's own case or ticket (404 for anyone else's), whether rateable or not."""
    if kind is RatedKind.case:
        return of_case(await _case(target_id, person_id))
    return of_ticket(await _ticket(target_id, person_id))


async def rateable(kind: RatedKind, target_id: int, person_id: int) -> Target:
    """``owned``, and in a state that may be rated now."""
    if kind is RatedKind.case:
        case = await _case(target_id, person_id)
        if case.status == CaseStatus.withdrawn:
            raise Conflict("已撤回的办件不能评价", code="CASE_WITHDRAWN")
        if case.status not in RATEABLE_CASES:
            raise Conflict("办件办结后才能评价", code="CASE_NOT_RATEABLE")
        return of_case(case)
    ticket = await _ticket(target_id, person_id)
    if ticket.department_id is None or ticket.replied_at is None or (
            ticket.state == TicketState.merged):
        raise Conflict("工单答复后才能评价", code="TICKET_NOT_RATEABLE")
    return of_ticket(ticket)
