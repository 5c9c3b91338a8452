"""告知承诺制: a pledge signed instead of a material, the post-check (事后核查) it leaves after
受理, and what a false pledge brings (the case denied or its result revoked, the certificates
of the case revoked, a credit record).

The material's pledge text is versioned in the item's guide: the applicant names the version
they read, and a text changed since is refused (409), so nobody signs words they did not see.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, time
from typing import Any, cast

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import clock
from app.cases.materials import material_spec
from app.cases.transitions import Actor, can_transition, record_step
from app.cases.workdays import get_calendar
from app.errors import Conflict, NotFound, ValidationFailed
from app.identity.levels import require_level
from app.kv import KeyValue
from app.staff import StaffPrincipal
from models.cases import Case, CaseStatus
from models.catalogue import ServiceItemVersion
from models.reforms import CreditRecord, Pledge, PledgeStatus

S = CaseStatus
# a result stands once decided; a false pledge then revokes it
RESULT_STANDS = frozenset({S.approved, S.fee_due, S.paid, S.result_issued, S.delivering,
                           S.completed})


def end_of_workday(start: datetime, workdays: int) -> datetime:
    """The end (Asia/Shanghai) of the ``workdays``-th working day after ``start``, in UTC."""
    day = get_calendar().add_workdays(clock.local(start).date(), workdays)
    return clock.local_at(day, time(23, 59, 59))


def _pledge_option(version: ServiceItemVersion, code: str) -> dict[str, Any]:
    spec = material_spec(version.materials, code)
    option = spec.get("pledge")
    if not option:
        raise ValidationFailed("该材料不适用告知承诺", code="PLEDGE_NOT_ALLOWED",
                               fields={"material_code": "该材料须按要求提交"})
    return {**option, "name": spec.get("name", code)}


async def sign(case: Case, person_id: int, *, material_code: str, text_version: int) -> Pledge:
    """The applicant signs the pledge of one material of their draft (timeline: 签署告知承诺)."""
    version = await ServiceItemVersion.get(id=case.item_version_id)
    option = _pledge_option(version, material_code)
    if int(option.get("version", 1)) != text_version:
        raise Conflict("承诺书内容已更新，请重新阅读后签署", code="PLEDGE_TEXT_CHANGED",
                       fields={"text_version": option.get("version", 1)})
    person = await require_level(person_id, version.required_realname_level)
    text = str(option["text"])
    async with in_transaction() as conn:
        locked = await Case.select_for_update().using_db(conn).get(id=case.id)
        if locked.status != S.draft:
            raise Conflict("只有草稿可以签署告知承诺", code="CASE_NOT_EDITABLE")
        try:
            pledge = await Pledge.create(
                case_id=case.id, department_id=locked.department_id, person_id=person_id,
                company_id=locked.company_id, material_code=material_code,
                material_name=option["name"], text=text, text_version=text_version,
                text_sha256=hashlib.sha256(text.encode()).hexdigest(),
                realname_level=person.realname_level, signed_at=clock.now(),
                check_workdays=int(option.get("check_workdays", 20)), using_db=conn,
            )
        except IntegrityError as exc:
            raise Conflict("该材料已签署告知承诺", code="PLEDGE_ALREADY_SIGNED") from exc
        await record_step(
            case, actor=Actor("citizen", str(person_id)),
            reason=f"以告知承诺代替“{option['name']}”",
            data={"label": "签署告知承诺", "pledge_id": pledge.id, "material_code": material_code,
                  "text_version": text_version, "text_sha256": pledge.text_sha256,
                  "realname_level": person.realname_level},
            connection=conn,
        )
    return pledge


async def pledged_codes(case_id: int, conn: BaseDBAsyncClient | None = None) -> set[str]:
    rows = await Pledge.filter(case_id=case_id).using_db(conn).values_list(
        "material_code", flat=True)
    return {str(r) for r in rows}


async def start_checks(case: Case, conn: BaseDBAsyncClient) -> int:
    """At 受理: every pledge of the case becomes a post-check due within its working days."""
    pledges = await Pledge.filter(case_id=case.id, status=PledgeStatus.signed).using_db(conn)
    at = case.accepted_at or clock.now()
    for p in pledges:
        await Pledge.filter(id=p.id).using_db(conn).update(
            status=PledgeStatus.checking, check_due=end_of_workday(at, p.check_workdays))
    return len(pledges)


class PostCheckNotFound(NotFound):
    code = "POST_CHECK_NOT_FOUND"
    message = "核查任务不存在"


async def for_staff(pledge_id: int, staff: StaffPrincipal) -> Pledge:
    pledge = await Pledge.get_or_none(id=pledge_id)
    if pledge is None or pledge.status == PledgeStatus.signed or not staff.sees_department(
            pledge.department_id):
        raise PostCheckNotFound()
    return pledge


async def decide(pledge: Pledge, staff: StaffPrincipal, actor: Actor, *, truthful: bool,
                 finding: str) -> tuple[Pledge, list[int]]:
    """Record the post-check's finding; answer the pledge and the ids of the case's
    certificates to revoke (after the commit, by the caller) when it was false."""
    from app.cases.staff_actions import deny_in  # the case flow's own decision step

    revoke: list[int] = []
    async with in_transaction() as conn:
        won = await Pledge.filter(id=pledge.id, status=PledgeStatus.checking).using_db(
            conn).update(status=PledgeStatus.confirmed if truthful else PledgeStatus.false,
                         checked_by=staff.id, checked_at=clock.now(), finding=finding)
        if not won:
            raise Conflict("该核查已有结论", code="POST_CHECK_DONE")
        case = await Case.select_for_update().using_db(conn).get(id=pledge.case_id)
        if truthful:
            await record_step(case, actor=actor, reason=f"“{pledge.material_name}”承诺属实",
                              data={"label": "事后核查", "pledge_id": pledge.id,
                                    "outcome": "confirmed"}, connection=conn)
        else:
            reason = f"经事后核查，申请人关于“{pledge.material_name}”的承诺不实：{finding}"
            consequence = await _consequence(case, actor, reason, pledge, conn, deny_in)
            await Pledge.filter(id=pledge.id).using_db(conn).update(consequence=consequence)
            await CreditRecord.create(
                person_id=pledge.person_id, company_id=pledge.company_id, kind="false_pledge",
                case_id=case.id, case_no=case.number, item_name=case.item_name,
                pledge_id=pledge.id, department_id=pledge.department_id, note=reason,
                recorded_by=staff.id, recorded_at=clock.now(), using_db=conn,
            )
            if consequence == "result_revoked":
                revoke = await _valid_certificates(case.id, conn)
    await pledge.refresh_from_db()
    return pledge, revoke


async def conclude(pledge: Pledge, staff: StaffPrincipal, actor: Actor, *, truthful: bool,
                   finding: str, kv: KeyValue) -> tuple[Pledge, list[int]]:
    """``decide``, then (after its commit) revoke the case's certificates when the result was
    revoked and issue the decision documents it made due (不予许可决定书)."""
    from app.cases.staff_actions import documents_due
    from app.certificates.revoke import revoke
    from models.certificates import Certificate, RevocationReason

    pledge, to_revoke = await decide(pledge, staff, actor, truthful=truthful, finding=finding)
    for cert in await Certificate.filter(id__in=to_revoke):
        await revoke(cert, staff.id, RevocationReason.obtained_by_fraud,
                     f"告知承诺不实：{finding}", kv)
    await documents_due(await Case.get(id=pledge.case_id), actor)
    return pledge, to_revoke


async def _consequence(case: Case, actor: Actor, reason: str, pledge: Pledge,
                       conn: BaseDBAsyncClient, deny_in: Any) -> str:
    from app.outbox import emit

    data = {"pledge_id": pledge.id, "outcome": "false"}
    if S(case.status) in RESULT_STANDS:
        await record_step(case, actor=actor, reason=reason,
                          data={**data, "label": "撤销办理结果"}, connection=conn)
        await emit("case.result_revoked", aggregate="case", aggregate_id=str(case.id),
                   payload={"case_id": case.id, "case_no": case.number,
                            "item_name": case.item_name, "reason": reason},
                   person_id=case.person_id, connection=conn)
        return "result_revoked"
    if case.accepted_at is not None and can_transition(case, S.denied):
        await deny_in(case, actor, reason, conn, data=data)
        return "denied"
    raise Conflict("办件当前状态不能作出核查结论，请先结束特别程序", code="CASE_BUSY",
                   fields={"status": S(case.status).value})


async def _valid_certificates(case_id: int, conn: BaseDBAsyncClient) -> list[int]:
    from models.certificates import Certificate, CertificateStatus

    rows = await Certificate.filter(case_id=case_id, status=CertificateStatus.valid).using_db(
        conn).values_list("id", flat=True)
    return cast(list[int], rows)  # flat: ints, not tuples


def view(p: Pledge, *, staff: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": p.id, "case_id": p.case_id, "material_code": p.material_code,
        "material_name": p.material_name, "text": p.text, "text_version": p.text_version,
        "signed_at": clock.iso(p.signed_at), "status": PledgeStatus(p.status).value,
        "check_due": clock.iso(p.check_due), "checked_at": clock.iso(p.checked_at),
        "consequence": p.consequence,
    }
    if staff:
        out.update(department_id=p.department_id, finding=p.finding, checked_by=p.checked_by,
                   overdue=bool(p.overdue_at) or (
                       p.status == PledgeStatus.checking and p.check_due is not None
                       and p.check_due <= clock.now()))
    return out


async def queue(staff: StaffPrincipal, *, status: str | None, limit: int,
                offset: int) -> list[Pledge]:
    """The department's post-checks, the soonest due first (admins: every department's)."""
    qs = Pledge.exclude(status=PledgeStatus.signed)
    if staff.department_scope is not None:
        qs = qs.filter(department_id=staff.department_scope)
    if status:
        qs = qs.filter(status=status)
    return await qs.order_by("check_due", "id").offset(offset).limit(limit)


async def credit_records(*, person_id: int | None, company_id: int | None,
                         limit: int) -> list[dict[str, Any]]:
    """信用记录 are for every department's staff to read: that is what they are for."""
    qs = CreditRecord.all()
    if person_id is not None:
        qs = qs.filter(person_id=person_id)
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    return [{"id": r.id, "person_id": r.person_id, "company_id": r.company_id,
             "kind": r.kind, "case_id": r.case_id, "case_no": r.case_no,
             "item_name": r.item_name, "department_id": r.department_id, "note": r.note,
             "recorded_at": clock.iso(r.recorded_at)}
            for r in await qs.order_by("-id").limit(limit)]
