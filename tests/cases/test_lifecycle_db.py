"""``transition`` on the database: the event, the chain and the outbox row commit or roll back
together with the status, and tampering with a stored event shows (in the chain audit)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from tortoise.transactions import in_transaction

from app.cases.transitions import Actor, transition
from app.errors import Conflict
from models.cases import Case, CaseEvent, CaseStatus
from models.core import OutboxEvent
from tests.cases.conftest import filed_case, make_item

CLERK = Actor("staff", "1", "测试窗口")


@pytest.fixture(scope="module")
async def item(staff: Any) -> dict[str, Any]:
    clerk = await staff(roles=["clerk"], department=f"L{uuid.uuid4().hex[:6]}")
    return await make_item(clerk.department_id)


@pytest.fixture
async def submitted(api: Any, citizen: Any, item: dict[str, Any]) -> Case:
    me = await citizen()
    case = await filed_case(api, me.headers, item)
    return await Case.get(id=case["id"])


async def counts(case_id: int) -> tuple[int, int]:
    return (await CaseEvent.filter(case_id=case_id).count(),
            await OutboxEvent.filter(aggregate="case", aggregate_id=str(case_id)).count())


async def test_rollback_takes_event_and_outbox_with_it(submitted: Case) -> None:
    before = await counts(submitted.id)
    with pytest.raises(RuntimeError):
        async with in_transaction() as conn:
            await transition(submitted, CaseStatus.accepted, actor=CLERK, connection=conn)
            raise RuntimeError("something later in the same transaction failed")
    assert await counts(submitted.id) == before
    assert (await Case.get(id=submitted.id)).status == CaseStatus.submitted


async def test_illegal_transition_writes_nothing(submitted: Case) -> None:
    before = await counts(submitted.id)
    with pytest.raises(Conflict) as err:
        async with in_transaction() as conn:
            await transition(submitted, CaseStatus.completed, actor=CLERK, connection=conn)
    assert err.value.code == "ILLEGAL_TRANSITION" and err.value.status == 409
    assert await counts(submitted.id) == before


async def test_event_links_and_tampering(api: Any, submitted: Case) -> None:
    async with in_transaction() as conn:
        event = await transition(submitted, "accepted", actor=CLERK, reason="予以受理",
                                 data={"window": 3}, connection=conn)
    assert (event.from_status, event.to_status, event.actor_name) == (
        "submitted", "accepted", "测试窗口")
    previous = await CaseEvent.get(case_id=submitted.id, seq=event.seq - 1)
    assert event.prev_hash == previous.hash and len(event.hash) == 64
    assert submitted.status == CaseStatus.accepted and submitted.accepted_at is not None
    outbox = await OutboxEvent.filter(aggregate_id=str(submitted.id)).order_by("-id").first()
    assert outbox is not None and outbox.event_type == "case.accepted"
    assert outbox.payload["to"] == "accepted" and outbox.payload["case_id"] == submitted.id

    from app.cases import chain_audit, queries

    assert (await queries.detail(submitted))["timeline_intact"]
    await CaseEvent.filter(id=previous.id).update(reason="被篡改的理由")
    verdict = await chain_audit.audit_case(submitted.id)  # the audit catches it, not the read
    assert verdict is not None and verdict.broken_seq == previous.seq
    assert verdict.finding == chain_audit.Finding.broken_link
    assert not (await queries.detail(submitted))["timeline_intact"]


async def test_find_case_for_person(submitted: Case) -> None:
    from app.cases.queries import find_case_for_person

    found = await find_case_for_person(submitted.number, submitted.person_id)
    assert found is not None and found.id == submitted.id
    assert await find_case_for_person(submitted.number, submitted.person_id + 100000) is None


async def _intact_filed_case(api: Any, citizen: Any, item: dict[str, Any]
                             ) -> tuple[Any, int, str]:
    """A filed case whose citizen read shows an intact timeline: (citizen, case id, url)."""
    me = await citizen()
    case = await filed_case(api, me.headers, item)
    url = f"/api/v1/cases/{case['id']}"
    assert (await api.get(url, headers=me.headers)).json()["timeline_intact"]
    return me, case["id"], url


async def test_an_edited_event_is_caught_by_the_audit_not_the_read(
    api: Any, citizen: Any, item: dict[str, Any]
) -> None:
    from app.cases import chain_audit

    me, case_id, url = await _intact_filed_case(api, citizen, item)
    await CaseEvent.filter(case_id=case_id, seq=1).update(reason="被篡改的理由")
    read = (await api.get(url, headers=me.headers)).json()  # the read does not re-hash
    assert read["timeline_intact"] and read["timeline"][0]["reason"] == "被篡改的理由"
    verdict = await chain_audit.audit_case(case_id)
    assert verdict is not None and (verdict.broken_seq, verdict.finding) == (1, "broken_link")
    read = (await api.get(url, headers=me.headers)).json()
    assert not read["timeline_intact"]  # once audited, the citizen's read shows it


async def test_a_dropped_last_event_or_an_edited_status_shows(
    api: Any, citizen: Any, item: dict[str, Any]
) -> None:
    me, case_id, url = await _intact_filed_case(api, citizen, item)
    await Case.filter(id=case_id).update(status="accepted")  # edited around the chain
    assert not (await api.get(url, headers=me.headers)).json()["timeline_intact"]
    await Case.filter(id=case_id).update(status="submitted")
    last = await CaseEvent.filter(case_id=case_id).order_by("-seq").first()
    assert last is not None
    await CaseEvent.filter(id=last.id).delete()  # the newest link dropped: still a valid chain
    assert not (await api.get(url, headers=me.headers)).json()["timeline_intact"]
