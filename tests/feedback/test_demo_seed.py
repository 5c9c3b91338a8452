"""``seed-demo`` leaves rated cases, a 整改 in progress and a ticket in every state, once."""

from __future__ import annotations

from typing import Any

import pytest

from app.identity.accounts import find_person_by_account
from app.ratings import demo
from app.server import DEMO_PHONE
from models.ratings import Rating, Rectification
from models.tickets import Ticket, TicketState
from tests.feedback.support import department

pytestmark = pytest.mark.usefixtures("server")


async def test_demo_data_in_every_state(staff: Any) -> None:
    await department(staff)  # at least one published item without fees
    first = await demo.seed()
    assert (first.cases, first.ratings, first.tickets) == (5, 4, 7)
    tickets = await Ticket.filter(source_ref__startswith=demo.MARK)
    assert {t.state for t in tickets} == set(TicketState)
    assert any(t.channel == "hotline" for t in tickets)
    person_id = await find_person_by_account("app", DEMO_PHONE)
    levels = [int(r.level) for r in await Rating.filter(person_id=person_id)]
    assert sorted(levels) == [1, 2, 4, 5]
    fixes = await Rectification.filter(rating__person_id=person_id)
    assert sorted(str(f.state) for f in fixes) == ["open", "replied"]
    again = await demo.seed()
    assert (again.cases, again.tickets) == (0, 0)
