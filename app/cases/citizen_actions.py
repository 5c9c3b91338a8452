"""What a citizen does with a case: create a draft, fill the form, submit, withdraw, answer a
补正 notice and resubmit. Each status change is one short transaction through ``transition``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app import clock
from app.cases import forms, materials, supplement
from app.cases.numbering import next_number
from app.cases.transitions import Actor, copy_into, record_creation, transition
from app.catalogue import fees
from app.edges import Edges
from app.errors import Conflict, NotFound, ValidationFailed
from app.identity.companies import require_authorised
from app.identity.levels import require_level
from app.licences import trust
from app.payments.events import PayActor
from app.payments.orders import close_at_platform
from app.payments.settle import close_pending_of_case
from app.reforms import tolerance
from models.cases import Case, CaseStatus, Material
from models.catalogue import ServiceItem, ServiceItemVersion


async def require_realname(person_id: int, level: int) -> None:
    await require_level(person_id, level)  # 403 REALNAME_LEVEL_REQUIRED


async def require_company(person_id: int, company_id: int, item_code: str) -> None:
    await require_authorised(person_id, company_id, item_code)


async def _still_authorised(case: Case, person_id: int) -> None:
    """A company's case goes forward only while its 经办人's authority stands (it may have been
    revoked or have run out since the draft was made)."""
    if case.company_id is not None:
        code = await ServiceItem.filter(id=case.item_id).first().values_list("code", flat=True)
        await require_company(person_id, case.company_id, str(code))


def citizen(person_id: int) -> Actor:
    return Actor("citizen", str(person_id))


async def _published_item(item_id: int | None, item_code: str | None) -> ServiceItem:
    qs = ServiceItem.filter(published=True, published_version_id__isnull=False)
    item = await (qs.get_or_none(id=item_id) if item_id else qs.get_or_none(code=item_code or ""))
    if item is None:
        raise NotFound("事项不存在或未发布", code="ITEM_NOT_FOUND")
    return item


@dataclass(frozen=True)
class DraftPlan:
    """A draft checked and ready to write (``insert_draft``), so several can be written in one
    transaction (a 一件事 application's member cases)."""

    person_id: int
    company_id: int | None
    item: ServiceItem
    version: ServiceItemVersion
    channel: str
    delivery: str
    form_data: dict[str, Any]


async def plan_draft(
    person_id: int, *, item_id: int | None = None, item_code: str | None = None,
    channel: str = "app", delivery: str | None = None, company_id: int | None = None,
    form: dict[str, Any] | None = None,
) -> DraftPlan:
    item = await _published_item(item_id, item_code)
    version = await ServiceItemVersion.get(id=item.published_version_id)
    if version.channels and channel not in version.channels:
        raise Conflict("该事项暂不支持在此渠道办理", code="CHANNEL_NOT_OFFERED")
    options = version.delivery_options or ["window"]
    delivery = delivery or options[0]
    if delivery not in options:
        raise ValidationFailed("不支持该送达方式", fields={"delivery": "取值不在允许范围内"})
    await require_realname(person_id, version.required_realname_level)
    if company_id is not None:
        await require_company(person_id, company_id, item.code)
    # a bad form refuses the whole request: no draft is left behind
    return DraftPlan(person_id, company_id, item, version, channel, delivery,
                     _sealed_form(version, form or {}))


async def insert_draft(plan: DraftPlan, conn: BaseDBAsyncClient) -> Case:
    version = plan.version
    case = await Case.create(
        number=await next_number(conn), person_id=plan.person_id, company_id=plan.company_id,
        item_id=plan.item.id, item_version_id=version.id, item_name=version.name,
        department_id=plan.item.department_id, channel=plan.channel, delivery=plan.delivery,
        form_data=plan.form_data,
        **fees.fee_terms(version, plan.delivery),
        promised_limit_days=version.promised_limit_days,
        legal_limit_days=version.legal_limit_days, using_db=conn,
    )
    await record_creation(case, actor=citizen(plan.person_id), connection=conn)
    return case


async def create_draft(
    person_id: int, *, item_id: int | None = None, item_code: str | None = None,
    channel: str = "app", delivery: str | None = None, company_id: int | None = None,
    form: dict[str, Any] | None = None,
) -> Case:
    plan = await plan_draft(person_id, item_id=item_id, item_code=item_code, channel=channel,
                            delivery=delivery, company_id=company_id, form=form)
    async with in_transaction() as conn:
        return await insert_draft(plan, conn)


def _sealed_form(version: ServiceItemVersion, data: dict[str, Any]) -> dict[str, Any]:
    """A draft's form, validated partially (required fields wait for submission), sealed."""
    data = {k: v for k, v in data.items() if v is not None}
    return forms.seal(version.form_schema, forms.validate(version.form_schema, data, partial=True))


async def version_of(case: Case) -> ServiceItemVersion:
    return await ServiceItemVersion.get(id=case.item_version_id)


async def update_draft(
    case: Case, *, form: dict[str, Any] | None, delivery: str | None
) -> Case:
    version = await version_of(case)
    async with in_transaction() as conn:
        # locked, so an edit racing a submit cannot change a case that has left the draft
        locked = await Case.select_for_update().using_db(conn).get(id=case.id)
        if locked.status != CaseStatus.draft:
            raise Conflict("只有草稿可以修改", code="CASE_NOT_EDITABLE")
        if form is not None:
            locked.form_data = _sealed_form(version, {**forms.unseal(locked.form_data), **form})
        if delivery is not None:
            if delivery not in (version.delivery_options or ["window"]):
                raise ValidationFailed("不支持该送达方式",
                                       fields={"delivery": "取值不在允许范围内"})
            locked.delivery = delivery
            # postage follows the delivery chosen
            locked.update_from_dict(fees.fee_terms(version, delivery))
        await locked.save(update_fields=["form_data", "delivery", "fee_total_fen", "fee_stage",
                                         "updated_at"], using_db=conn)
    copy_into(case, locked)
    return case


async def submit(case: Case, person_id: int) -> Case:
    if case.status != CaseStatus.draft:
        raise Conflict("只有草稿可以提交", code="ILLEGAL_TRANSITION",
                       fields={"from": str(case.status), "to": "submitted"})
    version = await version_of(case)
    await require_realname(person_id, version.required_realname_level)
    await _still_authorised(case, person_id)
    async with in_transaction() as conn:
        await submit_in(case, version, person_id, conn)
    return case


async def submit_in(case: Case, version: ServiceItemVersion, person_id: int,
                    conn: BaseDBAsyncClient) -> None:
    """Submit inside the caller's transaction (a 一件事 submits its members in one)."""
    # checked under the row lock, so no edit lands between the checks and the move
    locked = await Case.select_for_update().using_db(conn).get(id=case.id)
    if locked.status != CaseStatus.draft:
        raise Conflict("只有草稿可以提交", code="ILLEGAL_TRANSITION",
                       fields={"from": str(locked.status), "to": "submitted"})
    forms.validate(version.form_schema, forms.unseal(locked.form_data))
    present = await Material.filter(case_id=case.id, superseded=False).using_db(conn)
    # pledged (告知承诺) and 容缺 materials may be missing: 受理 records what they owe
    excused = await tolerance.excused_codes(locked, version.materials, conn)
    missing = [m for m in materials.missing_required(version.materials, present)
               if m["code"] not in excused]
    if missing:
        raise ValidationFailed(
            "请提交全部必需材料", code="MATERIALS_MISSING",
            fields={f"materials.{m['code']}": f"缺少{m['name']}" for m in missing},
        )
    await trust.enforce(locked, version.materials, present,
                        on=clock.local(clock.now()).date(), conn=conn)
    # from the locked row: a delivery change just before could have made postage due
    to = CaseStatus.fee_due if locked.fee_stage == "submission" else CaseStatus.submitted
    await transition(case, to, actor=citizen(person_id), connection=conn)


async def withdraw(case: Case, person_id: int, reason: str | None, *, edges: Edges) -> Case:
    """Withdraw; the case's unpaid orders are closed with it, and then at the platform."""
    async with in_transaction() as conn:
        await transition(case, CaseStatus.withdrawn, actor=citizen(person_id),
                         reason=reason or "申请人撤回", connection=conn)
        closed = await close_pending_of_case(
            case.id, actor=PayActor("citizen", str(person_id)), reason="办件已撤回", conn=conn
        )
    for order in closed:
        await close_at_platform(edges, order)
    return case


async def resubmit(case: Case, person_id: int) -> Case:
    await _still_authorised(case, person_id)
    async with in_transaction() as conn:
        locked = await Case.select_for_update().using_db(conn).get(id=case.id)
        notice = await supplement.close_on_resubmit(locked, conn)
        await transition(case, CaseStatus.resubmitted, actor=citizen(person_id),
                         reason="已按补正告知逐项补正", data={"notice_id": notice.id},
                         connection=conn)
    return case
