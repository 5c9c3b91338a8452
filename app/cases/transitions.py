"""The case state machine: the allowed transitions only, each one recorded.

``transition`` is the one way a case changes status. Within the caller's transaction it locks
the case row, checks the move (409 ``ILLEGAL_TRANSITION`` otherwise, nothing written), keeps the
clock bookkeeping (start at 受理, pauses for 补正 and non-counting special stages, stop at the
decision), appends a ``CaseEvent`` chained by SM3 and emits ``case.<to>`` to the outbox.

Fees: an item's fees fall due either at submission (draft → fee_due → paid → submitted, the
last step taken here automatically) or after approval (approved → fee_due → paid →
result_issued). ``case.fee_stage`` says which; payments only moves fee_due → paid.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import DoesNotExist

from app import clock, sql
from app.cases.chain import GENESIS, chain_keys, event_hash
from app.errors import Conflict
from models.cases import Case, CaseEvent, CaseStatus, ClockPause

S = CaseStatus

ALLOWED: dict[CaseStatus, frozenset[CaseStatus]] = {
    S.draft: frozenset({S.submitted, S.fee_due, S.withdrawn}),
    S.submitted: frozenset({S.supplement_requested, S.accepted, S.refused, S.withdrawn}),
    S.supplement_requested: frozenset({S.resubmitted, S.withdrawn, S.denied}),
    S.resubmitted: frozenset(
        {S.supplement_requested, S.accepted, S.refused, S.under_review, S.withdrawn}
    ),
    S.accepted: frozenset(
        {S.under_review, S.supplement_requested, S.special_stage, S.approved, S.denied}
    ),
    S.under_review: frozenset({S.supplement_requested, S.special_stage, S.approved, S.denied}),
    S.special_stage: frozenset({S.under_review}),
    S.approved: frozenset({S.fee_due, S.result_issued}),
    S.denied: frozenset({S.completed}),
    S.fee_due: frozenset({S.paid, S.withdrawn}),
    S.paid: frozenset({S.submitted, S.result_issued}),
    S.result_issued: frozenset({S.delivering, S.completed}),
    S.delivering: frozenset({S.completed}),
    S.refused: frozenset(),
    S.completed: frozenset(),
    S.withdrawn: frozenset(),
}

DECISIONS = frozenset({S.approved, S.denied, S.refused})

STATUS_LABELS: dict[CaseStatus, str] = {
    S.draft: "草稿",
    S.submitted: "已提交",
    S.supplement_requested: "待补正",
    S.resubmitted: "已补正",
    S.accepted: "已受理",
    S.refused: "不予受理",
    S.under_review: "审查中",
    S.special_stage: "特别程序",
    S.approved: "准予许可",
    S.denied: "不予许可",
    S.fee_due: "待缴费",
    S.paid: "已缴费",
    S.result_issued: "已出证",
    S.delivering: "送达中",
    S.completed: "已办结",
    S.withdrawn: "已撤回",
}


@dataclass(frozen=True)
class Actor:
    kind: Literal["citizen", "staff", "system", "platform"]
    id: str
    name: str | None = None


SYSTEM = Actor("system", "lifecycle")


def _guard(case: Case, to: CaseStatus) -> bool:
    """Moves that the table allows only in some situations."""
    frm = case.status
    if to is S.withdrawn:
        return case.accepted_at is None
    if frm is S.supplement_requested and to is S.denied:
        return case.accepted_at is not None  # a review-stage 补正 left unanswered
    if to is S.fee_due:
        return case.fee_stage == ("submission" if frm is S.draft else "approval")
    if frm is S.draft and to is S.submitted:
        return case.fee_stage != "submission"  # fees due at submission are paid first
    if frm is S.approved and to is S.result_issued:
        return case.fee_stage != "approval"  # fees first
    if frm is S.paid:
        return case.fee_stage == ("submission" if to is S.submitted else "approval")
    if frm is S.resubmitted and to is S.under_review:
        return case.accepted_at is not None  # answering a 补正 asked during review
    if frm is S.resubmitted and to in (S.accepted, S.refused, S.supplement_requested):
        return case.accepted_at is None or to is S.supplement_requested
    return True


def can_transition(case: Case, to: CaseStatus) -> bool:
    return to in ALLOWED[CaseStatus(case.status)] and _guard(case, to)


def ensure_allowed(case: Case, to: CaseStatus) -> None:
    """Raise 409 ``ILLEGAL_TRANSITION`` unless ``case`` may move to ``to`` now."""
    if not can_transition(case, to):
        frm = CaseStatus(case.status)
        raise Conflict(
            f"办件当前状态为“{STATUS_LABELS[frm]}”，不能变更为“{STATUS_LABELS[to]}”",
            code="ILLEGAL_TRANSITION",
            fields={"from": frm.value, "to": to.value},
        )


async def _close_pauses(case: Case, at: datetime, conn: BaseDBAsyncClient, kind: str) -> None:
    await ClockPause.filter(case_id=case.id, kind=kind, ended_at__isnull=True).using_db(
        conn
    ).update(ended_at=at)


async def _bookkeeping(
    case: Case, frm: CaseStatus, to: CaseStatus, at: datetime, data: dict[str, Any],
    conn: BaseDBAsyncClient,
) -> None:
    if frm is S.supplement_requested:
        await _close_pauses(case, at, conn, "supplement")
    if frm is S.special_stage:
        await _close_pauses(case, at, conn, "special_stage")
        case.special_stage = None
    if to is S.submitted and case.submitted_at is None:
        case.submitted_at = at
    elif to is S.fee_due and frm is S.draft:
        case.submitted_at = at
    elif to is S.accepted:
        case.accepted_at = at  # the time limit counts from 受理 (行政许可法 第四十二条)
    elif to is S.supplement_requested:
        await ClockPause.create(case_id=case.id, kind="supplement", started_at=at, using_db=conn)
    elif to is S.special_stage:
        case.special_stage = str(data.get("name") or "特别程序")
        if not data.get("counts_toward_limit", False):
            await ClockPause.create(
                case_id=case.id, kind="special_stage", name=case.special_stage,
                started_at=at, using_db=conn,
            )
    elif to in DECISIONS:
        case.decided_at = at
    elif to is S.paid:
        case.paid_at = at
    elif to is S.result_issued:
        case.result_issued_at = at
    elif to is S.completed:
        case.completed_at = at
    elif to is S.withdrawn:
        case.withdrawn_at = at
        await _close_pauses(case, at, conn, "supplement")


_BOOKKEPT = (
    "status", "event_seq", "special_stage", "submitted_at", "accepted_at", "decided_at",
    "paid_at", "result_issued_at", "completed_at", "withdrawn_at",
)


async def transition(
    case: Case,
    to: CaseStatus | str,
    *,
    actor: Actor,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    connection: BaseDBAsyncClient,
) -> CaseEvent:
    """Move ``case`` to ``to`` inside the caller's transaction; answer the new event.

    The passed ``case`` object is refreshed from the locked row and updated in place."""
    locked = await _lock(case.id, connection)
    event = await _move(locked, CaseStatus(to), actor, reason, dict(data or {}), None,
                        connection)
    copy_into(case, locked)
    return event


# Every move of every case passes here: the row is locked, read and written with plain SQL
# (and read into the model the way tortoise's own executor does, ``_init_from_db``), which
# took a good share of a payment notify's CPU through the ORM's query building.
_LOCK = "SELECT * FROM case_record WHERE id = $1{lock}"
_EVENT = (
    "INSERT INTO case_event (case_id, seq, actor_kind, actor_id, actor_name, from_status,"
    " to_status, reason, data, at, prev_hash, hash, key_id) VALUES"
    " ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id"
)


async def _lock(case_id: int, connection: BaseDBAsyncClient) -> Case:
    found = await sql.rows(connection, _LOCK, case_id)
    if not found:
        raise DoesNotExist(Case)
    return Case._init_from_db(**found[0])


async def _save(case: Case, changed: list[str], connection: BaseDBAsyncClient) -> None:
    case.updated_at = clock.now()
    names = [*changed, "updated_at"]
    values = [getattr(case, n).value if n == "status" else getattr(case, n) for n in names]
    assignments = ", ".join(f"{n} = ${i}" for i, n in enumerate(names, 1))
    await sql.execute(
        connection, f"UPDATE case_record SET {assignments} WHERE id = ${len(names) + 1}",  # noqa: S608 - column names from _BOOKKEPT
        *values, case.id,
    )


async def _move(
    locked: Case, to: CaseStatus, actor: Actor, reason: str | None, data: dict[str, Any],
    head: CaseEvent | None, connection: BaseDBAsyncClient,
) -> CaseEvent:
    """``transition`` on a row this transaction has locked; ``head`` is the chain's last
    event when the caller has it (the automatic step after a payment)."""
    from app.outbox import emit  # the core's outbox; imported late to keep module load light

    frm = CaseStatus(locked.status)
    ensure_allowed(locked, to)
    at = clock.now()
    before = [getattr(locked, name) for name in _BOOKKEPT]
    await _bookkeeping(locked, frm, to, at, data, connection)
    locked.status = to
    event = await _append_event(locked, frm, to, actor, reason, data, at, connection, head)
    changed = [n for n, old in zip(_BOOKKEPT, before, strict=True) if getattr(locked, n) != old]
    await _save(locked, changed, connection)
    await emit(
        f"case.{to.value}",
        aggregate="case",
        aggregate_id=str(locked.id),
        payload={
            "case_id": locked.id,
            "case_no": locked.number,
            "item_name": locked.item_name,
            "from": frm.value,
            "to": to.value,
            "reason": reason,
            "person_id": locked.person_id,
            **({"deadline": data["deadline"]} if data.get("deadline") else {}),  # 补正 deadline
        },
        person_id=locked.person_id,
        connection=connection,
    )
    if to is S.paid and locked.fee_stage == "submission":
        await _move(locked, S.submitted, SYSTEM, "缴费完成，提交办件", {}, event, connection)
    return event


async def record_step(
    case: Case, *, actor: Actor, reason: str | None, data: dict[str, Any],
    connection: BaseDBAsyncClient,
) -> CaseEvent:
    """A step of the timeline that does not move the case (a 承办人 named, a signature on the
    sign-off chain): chained like every other event, its status both ``from`` and ``to``.
    ``data["label"]`` names the step; ``data["internal"]`` keeps it off the citizen's view."""
    locked = await _lock(case.id, connection)
    status = CaseStatus(locked.status)
    event = await _append_event(locked, status, status, actor, reason, data, clock.now(),
                                connection)
    await _save(locked, ["event_seq"], connection)
    copy_into(case, locked)
    return event


async def record_creation(case: Case, *, actor: Actor, connection: BaseDBAsyncClient) -> CaseEvent:
    """The first link of the chain: the draft was created (no outbox event)."""
    event = await _append_event(case, None, S.draft, actor, None, {}, clock.now(), connection)
    await case.save(update_fields=["event_seq"], using_db=connection)
    return event


async def _append_event(
    case: Case, frm: CaseStatus | None, to: CaseStatus, actor: Actor, reason: str | None,
    data: dict[str, Any], at: datetime, conn: BaseDBAsyncClient, head: CaseEvent | None = None,
) -> CaseEvent:
    case.event_seq += 1
    if head is not None and head.case_id == case.id and head.seq == case.event_seq - 1:
        prev_hash = head.hash
    elif case.event_seq == 1:
        prev_hash = GENESIS
    else:
        prev_hash = str(await CaseEvent.filter(case_id=case.id, seq=case.event_seq - 1).using_db(
            conn
        ).first().values_list("hash", flat=True) or GENESIS)
    fields: dict[str, Any] = dict(
        case_id=case.id, seq=case.event_seq, actor_kind=actor.kind, actor_id=str(actor.id),
        actor_name=actor.name, from_status=frm.value if frm else None, to_status=to.value,
        reason=reason, data=data, at=at,
    )
    key_id = chain_keys().current
    digest = event_hash(prev_hash=prev_hash, key_id=key_id, **fields)
    [row] = await sql.rows(
        conn, _EVENT, case.id, case.event_seq, actor.kind, str(actor.id), actor.name,
        fields["from_status"], to.value, reason, sql.dumps(data), at, prev_hash, digest, key_id,
    )
    return CaseEvent._init_from_db(
        id=row["id"], **fields, prev_hash=prev_hash, hash=digest, key_id=key_id
    )


def copy_into(target: Case, source: Case) -> None:
    """Every column of ``source`` (a row read under its lock) onto ``target``."""
    for name in source._meta.db_fields:
        setattr(target, name, getattr(source, name))
