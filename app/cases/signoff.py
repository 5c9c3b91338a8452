"""Walking a case's sign-off chain: the first step proposes 准予 or 不予许可, each later step
concurs or sends it back (退回, which starts the chain again), and the last concurring signature
makes the decision, in the same transaction. Every signature is a step of the timeline.

A round of signatures holds while the case stays under review: once it has left (a 补正, a
special stage) and come back, the chain starts again, since the earlier signers saw other
materials. Steps are signed in order by different people, so no step is ever skipped.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app import clock, sql
from app.cases import staff_actions
from app.cases.signoff_chains import has_chain, steps_of_item
from app.cases.transitions import Actor, record_step
from app.errors import Conflict, Forbidden, ValidationFailed
from app.staff import StaffPrincipal
from models.cases import Case, CaseStatus
from models.handling import CaseChain, CaseHandler, CaseSignoff, SignoffStep

S = CaseStatus
DECIDABLE = (S.accepted, S.under_review)
SAYS = {SignoffStep.approve: "同意准予许可", SignoffStep.deny: "同意不予许可",
        SignoffStep.back: "退回重新办理"}
PROPOSES = {SignoffStep.approve: "拟准予许可", SignoffStep.deny: "拟不予许可"}

# the last move of the case out of review: signatures before it belong to a spent round
_LEFT_REVIEW = (
    "SELECT MAX(seq) AS seq FROM case_event WHERE case_id = $1"
    " AND (from_status IS NULL OR from_status <> to_status)"
    " AND to_status NOT IN ('accepted', 'under_review')"
)


async def decide(
    case: Case, staff: StaffPrincipal, actor: Actor, decision: SignoffStep,
    opinion: str | None, legal_basis: str = "",
) -> Case:
    """What ``approve`` / ``deny`` do: sign the next step when the item has a chain, decide at
    once when it has none."""
    if await has_chain(case.id, case.item_id):
        return await sign(case, staff, actor, decision, opinion, legal_basis)
    if decision is SignoffStep.approve:
        return await staff_actions.approve(case, actor, opinion)
    return await staff_actions.deny(case, actor, opinion)


async def sign(
    case: Case, staff: StaffPrincipal, actor: Actor, decision: SignoffStep,
    opinion: str | None, legal_basis: str = "",
) -> Case:
    opinion = (opinion or "").strip()
    if decision is not SignoffStep.approve and len(opinion) < 2:
        raise ValidationFailed("请填写签批意见", code="REASON_REQUIRED", fields={"reason": "必填"})
    async with in_transaction() as conn:
        locked = await Case.select_for_update().using_db(conn).get(id=case.id)
        if CaseStatus(locked.status) not in DECIDABLE:
            raise Conflict("办件当前不在审查签批环节", code="SIGNOFF_NOT_OPEN")
        chain = await _case_chain(locked, conn)
        signed = await _round(locked, chain, conn)
        number = len(signed) + 1
        spec = chain.steps[number - 1]
        await _may_sign(staff, locked, spec, signed, conn)
        proposal = signed[0].decision if signed else None
        if proposal is None and decision is SignoffStep.back:
            raise ValidationFailed("第一步签批不能退回", code="SIGNOFF_DECISION_INVALID",
                                   fields={"decision": "取值不在允许范围内"})
        if proposal is not None and decision not in (proposal, SignoffStep.back):
            raise Conflict("不同意拟办意见的，请退回重新办理", code="SIGNOFF_DISAGREES")
        last = number == len(chain.steps) and decision is not SignoffStep.back
        says = PROPOSES[decision] if proposal is None and not last else SAYS[decision]
        event = await record_step(
            locked, actor=actor, reason=opinion or says,
            data={"internal": True, "kind": "signoff", "label": f"{spec['name']}：{says}",
                  "round": chain.round, "step": number, "steps": len(chain.steps),
                  "name": spec["name"], "role": spec["role"], "decision": decision.value},
            connection=conn,
        )
        await CaseSignoff.create(
            case_id=case.id, round=chain.round, step=number, name=spec["name"],
            role=spec["role"], staff_id=staff.id, staff_name=actor.name or str(staff.id),
            decision=decision, opinion=opinion, legal_basis=legal_basis.strip(),
            event_seq=event.seq, at=event.at, using_db=conn,
        )
        if decision is SignoffStep.back:
            await CaseChain.filter(id=chain.id).using_db(conn).update(round=chain.round + 1)
        elif last:
            await _make_decision(locked, actor, signed[0] if signed else None, opinion,
                                 legal_basis, chain, conn)
    await case.refresh_from_db()
    if last:
        await staff_actions.documents_due(case, actor)
    return case


async def _make_decision(
    case: Case, actor: Actor, proposal: CaseSignoff | None, opinion: str, legal_basis: str,
    chain: CaseChain, conn: BaseDBAsyncClient,
) -> None:
    """The decision says what the first step proposed, with its reasons and legal basis."""
    decision = proposal.decision if proposal else SignoffStep.approve
    reason = (proposal.opinion if proposal else opinion) or None
    basis = (proposal.legal_basis if proposal else legal_basis) or ""
    data: dict[str, Any] = {"signoff": {"round": chain.round, "steps": len(chain.steps)}}
    if basis:
        data["legal_basis"] = basis
    if decision is SignoffStep.approve:
        await staff_actions.approve_in(case, actor, reason, conn, data)
    else:
        await staff_actions.deny_in(case, actor, reason or "不予许可", conn, data)


async def _case_chain(case: Case, conn: BaseDBAsyncClient) -> CaseChain:
    chain = await CaseChain.get_or_none(case_id=case.id, using_db=conn)
    if chain is not None:
        return chain
    steps = await steps_of_item(case.item_id, conn)
    if not steps:
        raise Conflict("该事项未设置签批流程", code="NO_SIGNOFF_CHAIN")
    return await CaseChain.create(case_id=case.id, steps=steps, using_db=conn)


async def _round(case: Case, chain: CaseChain, conn: BaseDBAsyncClient) -> list[CaseSignoff]:
    """The signatures of the round in force, oldest first; a spent round starts a new one."""
    signed = await CaseSignoff.filter(case_id=case.id, round=chain.round).using_db(
        conn).order_by("step")
    if not signed:
        return []
    [row] = await sql.rows(conn, _LEFT_REVIEW, case.id)
    if row["seq"] is not None and int(row["seq"]) > signed[0].event_seq:
        chain.round += 1
        await CaseChain.filter(id=chain.id).using_db(conn).update(round=chain.round)
        return []
    return list(signed)


async def _may_sign(
    staff: StaffPrincipal, case: Case, spec: dict[str, Any], signed: list[CaseSignoff],
    conn: BaseDBAsyncClient,
) -> None:
    if staff.department_id != case.department_id:
        raise Forbidden("只能由办件所属部门的工作人员签批", code="NOT_CASE_DEPARTMENT")
    if not staff.has_any(spec["role"]):
        raise Forbidden(f"“{spec['name']}”须由具有相应角色的人员签批", code="SIGNOFF_ROLE",
                        fields={"roles": [spec["role"]]})
    if spec.get("staff_id") and spec["staff_id"] != staff.id:
        raise Forbidden(f"“{spec['name']}”须由指定人员签批", code="SIGNOFF_NOT_NAMED")
    if spec.get("handler"):
        handler = await CaseHandler.get_or_none(case_id=case.id, using_db=conn)
        if handler is None:
            raise Conflict("本件尚无承办人，请先领办或指定", code="CASE_UNASSIGNED")
        if handler.staff_id != staff.id:
            raise Forbidden(f"“{spec['name']}”须由本件承办人签批", code="SIGNOFF_NOT_HANDLER")
    if any(s.staff_id == staff.id for s in signed):
        raise Forbidden("同一人不能签批同一流程的两个环节", code="SIGNOFF_SAME_PERSON")


async def chain_view(case: Case) -> dict[str, Any] | None:
    """The chain of a case with the signatures of the round in force (None: no chain)."""
    chain = await CaseChain.get_or_none(case_id=case.id)
    steps = list(chain.steps) if chain else await steps_of_item(case.item_id)
    if not steps:
        return None
    round_no = chain.round if chain else 1
    open_now = CaseStatus(case.status) in DECIDABLE
    signed: list[CaseSignoff] = []
    if chain:
        signed = list(await CaseSignoff.filter(case_id=case.id, round=round_no).order_by("step"))
    if signed and case.decided_at is None:
        [row] = await sql.rows(Case._meta.db, _LEFT_REVIEW, case.id)
        if row["seq"] is not None and int(row["seq"]) > signed[0].event_seq:
            signed = []  # spent: the next signature starts a new round
    by_step = {s.step: s for s in signed}
    history = await CaseSignoff.filter(case_id=case.id).order_by("id")
    return {
        "round": round_no,
        "proposal": signed[0].decision.value if signed else None,
        "next_step": len(signed) + 1 if open_now and len(signed) < len(steps) else None,
        "steps": [
            {"step": i, **{k: spec.get(k) for k in ("name", "role", "staff_id", "handler")},
             "signed": _signature(by_step[i]) if i in by_step else None}
            for i, spec in enumerate(steps, 1)
        ],
        "history": [{"round": s.round, **_signature(s)} for s in history],
    }


def _signature(s: CaseSignoff) -> dict[str, Any]:
    return {"step": s.step, "name": s.name, "staff_id": s.staff_id, "staff_name": s.staff_name,
            "decision": s.decision.value, "opinion": s.opinion, "legal_basis": s.legal_basis,
            "at": clock.iso(s.at)}
