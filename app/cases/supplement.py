"""一次性告知: one structured 补正 notice listing every defect per material, with a deadline.

A second notice in the same stage (intake before 受理, or review after it) is legal only with a
reviewer's sign-off: it waits as ``pending_signoff`` (the case does not move) and it is flagged
for supervision. The citizen answers item by item, then resubmits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app import clock
from app.cases.materials import material_spec, supersede_others
from app.cases.transitions import Actor, ensure_allowed, transition
from app.cases.workdays import get_calendar
from app.errors import Conflict, Forbidden, NotFound, ValidationFailed
from models.cases import Case, CaseStatus, Material, SupplementItem, SupplementNotice

DEFAULT_DEADLINE_WORKDAYS = 15


@dataclass
class DefectIn:
    material_code: str
    problem: str
    requirement: str
    legal_clause: str = ""


def _deadline(workdays: int) -> datetime:
    day = get_calendar().add_workdays(clock.local(clock.now()).date(), workdays)
    return clock.local_at(day, time(23, 59, 59))


async def request(
    case: Case, version_materials: list[dict[str, Any]], defects: list[DefectIn], *,
    staff_id: int, actor: Actor, note: str = "", deadline_workdays: int | None = None,
    conn: BaseDBAsyncClient,
) -> SupplementNotice:
    if not defects:
        raise ValidationFailed("补正告知须列明每项材料的问题", fields={"items": "至少一项"})
    ensure_allowed(case, CaseStatus.supplement_requested)
    specs = {d.material_code: material_spec(version_materials, d.material_code) for d in defects
             if d.material_code != "form"}
    stage = "intake" if case.accepted_at is None else "review"
    earlier = await SupplementNotice.filter(case_id=case.id).using_db(conn).all()
    if any(n.status == "pending_signoff" for n in earlier):
        raise Conflict("已有待签批的补正告知", code="SUPPLEMENT_PENDING_SIGNOFF")
    second = any(n.stage == stage and n.status != "cancelled" for n in earlier)
    notice = await SupplementNotice.create(
        case_id=case.id, round=len(earlier) + 1, stage=stage,
        status="pending_signoff" if second else "open", note=note,
        deadline=_deadline(deadline_workdays or DEFAULT_DEADLINE_WORKDAYS),
        requested_by=staff_id, supervision_flag=second, using_db=conn,
    )
    for d in defects:
        name = specs[d.material_code].get("name", d.material_code) if d.material_code in specs \
            else "申请表单"
        await SupplementItem.create(
            notice_id=notice.id, material_code=d.material_code, material_name=name,
            problem=d.problem, requirement=d.requirement, legal_clause=d.legal_clause,
            using_db=conn,
        )
    if second:
        case.supervision_flag = True
        await case.save(update_fields=["supervision_flag"], using_db=conn)
    else:
        await _open(case, notice, actor, conn)
    return notice


async def _open(
    case: Case, notice: SupplementNotice, actor: Actor, conn: BaseDBAsyncClient
) -> None:
    notice.status, notice.opened_at = "open", clock.now()
    await notice.save(update_fields=["status", "opened_at"], using_db=conn)
    count = await SupplementItem.filter(notice_id=notice.id).using_db(conn).count()
    await transition(
        case, CaseStatus.supplement_requested, actor=actor,
        reason=notice.note or f"请一次性补正{count}项材料",
        data={"notice_id": notice.id, "round": notice.round, "items": count,
              "deadline": clock.iso(notice.deadline), "second": notice.supervision_flag},
        connection=conn,
    )


async def sign_off(
    case: Case, notice_id: int, *, reviewer_id: int, actor: Actor, conn: BaseDBAsyncClient
) -> SupplementNotice:
    notice = await SupplementNotice.get_or_none(id=notice_id, case_id=case.id, using_db=conn)
    if notice is None:
        raise NotFound("补正告知不存在", code="SUPPLEMENT_NOT_FOUND")
    if notice.status != "pending_signoff":
        raise Conflict("该补正告知无需签批", code="SUPPLEMENT_NOT_PENDING")
    if notice.requested_by == reviewer_id:
        raise Forbidden("不能签批本人提出的补正告知", code="SIGNOFF_SELF")
    notice.signed_off_by, notice.signed_off_at = reviewer_id, clock.now()
    await notice.save(update_fields=["signed_off_by", "signed_off_at"], using_db=conn)
    await _open(case, notice, actor, conn)
    return notice


async def open_notice(case: Case, conn: BaseDBAsyncClient | None = None) -> SupplementNotice:
    notice = await SupplementNotice.filter(case_id=case.id, status="open").using_db(conn).first()
    if notice is None or case.status != CaseStatus.supplement_requested:
        raise Conflict("当前没有待答复的补正告知", code="NO_OPEN_SUPPLEMENT")
    return notice


async def answer_item(
    case: Case, notice_id: int, item_id: int, *, text: str | None, material_id: int | None
) -> SupplementItem:
    if not text and material_id is None:
        raise ValidationFailed("请填写说明或提交材料", fields={"text": "说明或材料至少一项"})
    async with in_transaction() as conn:
        # the case row lock orders an answer against a concurrent resubmit
        locked = await Case.select_for_update().using_db(conn).get(id=case.id)
        notice = await open_notice(locked, conn)
        if notice.id != notice_id:
            raise NotFound("补正告知不存在", code="SUPPLEMENT_NOT_FOUND")
        item = await SupplementItem.get_or_none(id=item_id, notice_id=notice.id, using_db=conn)
        if item is None:
            raise NotFound("补正事项不存在", code="SUPPLEMENT_ITEM_NOT_FOUND")
        material = None
        if material_id is not None:
            material = await Material.get_or_none(
                id=material_id, case_id=case.id, superseded=False, using_db=conn
            )
            if material is None or material.code != item.material_code:
                raise ValidationFailed("材料与补正事项不符", fields={"material_id": "材料不符"})
            await supersede_others(material, conn)
        item.answer_text = text  # type: ignore[assignment]  # TextField(null=True) is typed str
        item.answer_material_id = material.id if material else None
        item.answered_at = clock.now()
        await item.save(using_db=conn)
    return item


async def close_on_resubmit(case: Case, conn: BaseDBAsyncClient) -> SupplementNotice:
    notice = await open_notice(case, conn)
    missing = await SupplementItem.filter(notice_id=notice.id, answered_at__isnull=True).using_db(
        conn
    ).values_list("material_name", flat=True)
    if missing:
        raise ValidationFailed(
            "请逐项答复补正告知后再提交", code="SUPPLEMENT_INCOMPLETE",
            fields={"items": "、".join(str(m) for m in missing) + " 尚未答复"},
        )
    notice.status, notice.answered_at = "answered", clock.now()
    await notice.save(update_fields=["status", "answered_at"], using_db=conn)
    return notice


async def view(case: Case) -> list[dict[str, Any]]:
    notices = await SupplementNotice.filter(case_id=case.id).order_by("round").prefetch_related(
        "items"
    )
    return [
        {
            "id": n.id, "round": n.round, "stage": n.stage, "status": n.status, "note": n.note,
            "deadline": clock.iso(n.deadline), "supervision_flag": n.supervision_flag,
            "signed_off": n.signed_off_at is not None,
            "items": [
                {"id": i.id, "material_code": i.material_code, "material_name": i.material_name,
                 "problem": i.problem, "requirement": i.requirement,
                 "legal_clause": i.legal_clause, "answer_text": i.answer_text,
                 "answer_material_id": i.answer_material_id, "answered": i.answered_at is not None}
                for i in sorted(n.items, key=lambda i: i.id)
            ],
        }
        for n in notices
    ]
