"""What an application looks like to its applicant and to the lead department (牵头部门): every
member's department and status, the derived status and progress, one combined 补正 notice
listing every department's open defects, and the one payment's amount."""

from __future__ import annotations

from typing import Any

from app import clock
from app.cases.queries import with_clocks
from app.cases.transitions import STATUS_LABELS
from app.reforms.bundle_apply import derived_status, member_cases, payer
from app.staff import StaffPrincipal
from models.bundles import Bundle, BundleApplication
from models.cases import Case, CaseStatus, SupplementItem, SupplementNotice
from models.core import Department


async def combined_notice(cases: list[Case], names: dict[int, str]) -> dict[str, Any] | None:
    waiting = [c for c in cases if c.status == CaseStatus.supplement_requested]
    if not waiting:
        return None
    notices = await SupplementNotice.filter(case_id__in=[c.id for c in waiting],
                                            status="open").order_by("id")
    items: dict[int, list[SupplementItem]] = {n.id: [] for n in notices}
    for i in await SupplementItem.filter(notice_id__in=list(items)).order_by("id"):
        items[i.notice_id].append(i)
    by_case = {c.id: c for c in waiting}
    parts = [{
        "department": names.get(by_case[n.case_id].department_id, ""), "case_id": n.case_id,
        "item_name": by_case[n.case_id].item_name, "notice_id": n.id,
        "deadline": clock.iso(n.deadline),
        "items": [{"item_id": i.id, "material_code": i.material_code,
                   "material_name": i.material_name, "problem": i.problem,
                   "requirement": i.requirement, "answered": i.answered_at is not None}
                  for i in items[n.id]],
    } for n in notices]
    return {"deadline": clock.iso(min(n.deadline for n in notices)) if notices else None,
            "departments": parts}


async def view(application: BundleApplication, *, staff: bool = False) -> dict[str, Any]:
    pairs = await member_cases(application)
    cases = [c for _, c in pairs]
    clocks = {c.id: v for c, v in await with_clocks(cases)}
    dept_ids = {c.department_id for c in cases} | {application.lead_department_id}
    names = {int(k): str(v) for k, v in await Department.filter(id__in=dept_ids).values_list(
        "id", "name")}
    code = await Bundle.filter(id=application.bundle_id).first().values_list("code", flat=True)
    statuses = [CaseStatus(c.status) for c in cases]
    done = sum(s in (CaseStatus.completed, CaseStatus.denied, CaseStatus.refused,
                     CaseStatus.withdrawn) for s in statuses)
    first_payer = payer(pairs)
    return {
        "id": application.id, "number": application.number, "bundle_code": str(code),
        "bundle_name": application.bundle_name,
        "lead_department": names.get(application.lead_department_id, ""),
        "status": derived_status(statuses),
        "progress": {"total": len(cases), "finished": done,
                     "completed": statuses.count(CaseStatus.completed)},
        "members": [{
            "case_id": c.id, "case_no": c.number, "item_code": m.item_code,
            "item_name": c.item_name, "department_id": c.department_id,
            "department": names.get(c.department_id, ""), "status": CaseStatus(c.status).value,
            "status_label": STATUS_LABELS[CaseStatus(c.status)], "fee_total_fen": c.fee_total_fen,
            "clock": clocks[c.id].as_dict() if c.id in clocks and staff else None,
        } for m, c in pairs],
        "supplement": await combined_notice(cases, names),
        "fee_total_fen": sum(c.fee_total_fen for c in cases if c.status == CaseStatus.fee_due),
        "payer_case_id": first_payer.id if first_payer else None,
        "created_at": clock.iso(application.created_at),
        "submitted_at": clock.iso(application.submitted_at),
    }


async def for_lead(staff: StaffPrincipal, *, limit: int = 50) -> list[BundleApplication]:
    """The applications whose bundle this staff member's department leads (admins: all)."""
    qs = BundleApplication.exclude(status="draft")
    if staff.department_scope is not None:
        qs = qs.filter(lead_department_id=staff.department_scope)
    return await qs.order_by("-id").limit(limit)


async def lead_one(application_id: int, staff: StaffPrincipal) -> BundleApplication:
    from app.reforms.bundle_apply import ApplicationNotFound

    found = await BundleApplication.get_or_none(id=application_id)
    if found is None or found.status == "draft" or not staff.sees_department(
            found.lead_department_id):
        raise ApplicationNotFound()
    return found
