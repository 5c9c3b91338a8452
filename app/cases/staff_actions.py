"""What staff do with a case: 受理 or 不予受理, ask for 补正 (and sign off a second one), review,
special stages, approve or deny, issue the result, complete. Department scoping is the caller's
(``queries.case_for_staff``); each action is one transaction."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app.cases import supplement
from app.cases.queries import clock_now
from app.cases.signoff_chains import has_chain
from app.cases.transitions import SYSTEM, Actor, ensure_allowed, transition
from app.certificates import for_cases as certificates
from app.decisions.issue import issue_owed_quietly
from app.errors import Conflict, ValidationFailed
from app.licences import trust
from app.reforms import pledges, tolerance
from app.staff import StaffPrincipal
from models.cases import Case, CaseStatus, Material, SupplementNotice
from models.catalogue import ServiceItemVersion
from models.core import StaffAccount

S = CaseStatus


def staff_actor(staff_id: int, name: str | None = None) -> Actor:
    return Actor("staff", str(staff_id), name)


async def actor_for(staff: StaffPrincipal) -> Actor:
    """The timeline's actor for a staff member: their id and display name."""
    name = await StaffAccount.filter(id=staff.id).first().values_list("display_name", flat=True)
    return staff_actor(staff.id, str(name) if name else None)


async def _locked(case: Case, conn: BaseDBAsyncClient) -> Case:
    return await Case.select_for_update().using_db(conn).get(id=case.id)


def _need_reason(reason: str | None, what: str) -> str:
    if not reason or not reason.strip():
        raise ValidationFailed(f"{what}须说明理由", fields={"reason": "必填"})
    return reason.strip()


async def move(
    case: Case, to: CaseStatus, actor: Actor, *, reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> Case:
    async with in_transaction() as conn:
        await transition(case, to, actor=actor, reason=reason, data=data, connection=conn)
    return case


async def accept(case: Case, actor: Actor) -> Case:
    pending = await SupplementNotice.filter(case_id=case.id, status="pending_signoff").exists()
    if pending:
        raise Conflict("有待签批的补正告知，暂不能受理", code="SUPPLEMENT_PENDING_SIGNOFF")
    # the item's trust minimum, again: a certificate used as a material may have been revoked
    version = await ServiceItemVersion.get(id=case.item_version_id)
    present = await Material.filter(case_id=case.id, superseded=False)
    await trust.enforce(case, version.materials, present, on=trust.submission_day(case))
    async with in_transaction() as conn:
        await transition(case, S.accepted, actor=actor, reason="材料齐全，符合法定形式，予以受理",
                         connection=conn)
        # 告知承诺 become post-checks, 容缺 materials get their 补齐 deadlines, in the same step
        await pledges.start_checks(case, conn)
        await tolerance.record_missing(case, version.materials, actor, conn)
    return await documents_due(case, actor)


async def documents_due(case: Case, actor: Actor) -> Case:
    """After an action's commit: the decision documents it made due (受理通知书 …)."""
    await issue_owed_quietly(case.id, int(actor.id) if actor.kind == "staff" else None)
    return case


async def refuse(case: Case, actor: Actor, reason: str | None) -> Case:
    reason = _need_reason(reason, "不予受理")
    async with in_transaction() as conn:
        await transition(case, S.refused, actor=actor, reason=reason, connection=conn)
        await _set(case, conn, decision_reason=reason)
    return await documents_due(case, actor)


async def deny(case: Case, actor: Actor, reason: str | None) -> Case:
    """不予许可 by one reviewer: only for an item without a sign-off chain."""
    reason = _need_reason(reason, "不予许可")
    async with in_transaction() as conn:
        await _no_chain(case, conn)
        await deny_in(case, actor, reason, conn)
    return await documents_due(case, actor)


async def approve(case: Case, actor: Actor, reason: str | None) -> Case:
    """准予 by one reviewer: only for an item without a sign-off chain."""
    async with in_transaction() as conn:
        await _no_chain(case, conn)
        await approve_in(case, actor, reason, conn)
    return await documents_due(case, actor)


async def _no_chain(case: Case, conn: BaseDBAsyncClient) -> None:
    """A decision never skips the steps of a chain (``app.cases.signoff`` walks it)."""
    if await has_chain(case.id, case.item_id, conn):
        raise Conflict("该事项须逐级签批后方可作出决定", code="SIGNOFF_REQUIRED")


async def approve_in(
    case: Case, actor: Actor, reason: str | None, conn: BaseDBAsyncClient,
    data: dict[str, Any] | None = None,
) -> None:
    """Approve inside ``conn``; when fees fall due after approval the case goes on to fee_due
    at once. The decision's event carries the clock as it stood (for 电子监察)."""
    await transition(case, S.approved, actor=actor, reason=reason or "准予许可",
                     data={**(data or {}), **await _clock_reading(case, conn)},
                     connection=conn)
    await _set(case, conn, decision_reason=reason)
    if case.fee_stage == "approval":
        fen = case.fee_total_fen
        await transition(case, S.fee_due, actor=SYSTEM,
                         reason=f"请缴纳费用{fen // 100}.{fen % 100:02d}元",
                         data={"amount_fen": fen}, connection=conn)


async def deny_in(
    case: Case, actor: Actor, reason: str, conn: BaseDBAsyncClient,
    data: dict[str, Any] | None = None,
) -> None:
    await transition(case, S.denied, actor=actor, reason=reason,
                     data={**(data or {}), **await _clock_reading(case, conn)},
                     connection=conn)
    await _set(case, conn, decision_reason=reason)


async def _clock_reading(case: Case, conn: BaseDBAsyncClient) -> dict[str, Any]:
    """Working days used against the promised limit at the decision, and whether it came
    late: what supervision figures read back from the timeline."""
    if case.accepted_at is None:
        return {}
    view = await clock_now(case, conn)
    return {"clock": {"days_used": view.days_used,
                      "limit_days": case.promised_limit_days or case.legal_limit_days,
                      "late": view.colour == "red"}}


async def _set(case: Case, conn: BaseDBAsyncClient, **values: Any) -> None:
    for key, value in values.items():
        setattr(case, key, value)
    await case.save(update_fields=[*values, "updated_at"], using_db=conn)


async def request_supplement(
    case: Case, actor: Actor, staff_id: int, defects: list[supplement.DefectIn], *,
    note: str = "", deadline_workdays: int | None = None,
) -> SupplementNotice:
    version = await ServiceItemVersion.get(id=case.item_version_id)
    async with in_transaction() as conn:
        locked = await _locked(case, conn)
        notice = await supplement.request(
            locked, version.materials, defects, staff_id=staff_id, actor=actor, note=note,
            deadline_workdays=deadline_workdays, conn=conn,
        )
    await case.refresh_from_db()
    await documents_due(case, actor)
    return notice


async def sign_off_supplement(case: Case, notice_id: int, actor: Actor, staff_id: int) -> Case:
    async with in_transaction() as conn:
        locked = await _locked(case, conn)
        await supplement.sign_off(locked, notice_id, reviewer_id=staff_id, actor=actor, conn=conn)
    await case.refresh_from_db()
    return await documents_due(case, actor)


async def start_special_stage(case: Case, actor: Actor, name: str, reason: str | None) -> Case:
    version = await ServiceItemVersion.get(id=case.item_version_id)
    stage = next((s for s in version.special_stages or [] if s.get("name") == name), None)
    if stage is None:
        raise ValidationFailed("该事项没有此特殊环节", fields={"name": "取值不在允许范围内"})
    data = {"name": name, "days": stage.get("days"),
            "counts_toward_limit": bool(stage.get("counts_toward_limit", False))}
    return await move(case, S.special_stage, actor, reason=reason or name,
                      data=data)


async def end_special_stage(case: Case, actor: Actor, reason: str | None) -> Case:
    return await move(case, S.under_review, actor, reason=reason or "特别程序结束")


async def issue_result(case: Case, actor: Actor, note: str | None) -> Case:
    """出件; when the item's result is electronic, its certificate is sealed and rendered
    first (off the event loop, no transaction open) and written with the move."""
    ensure_allowed(case, S.result_issued)
    await tolerance.ensure_released(case.id, "result")
    built = await certificates.prepare(case, note)
    async with in_transaction() as conn:
        await transition(case, S.result_issued, actor=actor, reason=note or "已出具办理结果",
                         connection=conn)
        await _set(case, conn, result_note=note)
        if built is not None:
            await certificates.record_for_case(built, actor.id, conn)
    return case


async def complete(case: Case, actor: Actor, reason: str | None) -> Case:
    if case.status != S.denied:
        await tolerance.ensure_released(case.id, "delivery")
    return await move(case, S.completed, actor, reason=reason or "办结")
