"""The certificate a case's result creates: what ``issue-result`` calls (the one place the case
workflow touches certificates)."""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app.cases import forms
from app.certificates import holders
from app.certificates.issue import Built, Draft, build_async, record, rows_for, template_for
from app.errors import Conflict
from models.cases import Case
from models.catalogue import ServiceItemVersion
from models.certificates import Certificate
from models.core import Department


async def prepare(case: Case, note: str | None) -> Built | None:
    """Seal and render the certificate of ``case`` (off the event loop, before any
    transaction); None when the item's result is not electronic."""
    version = await ServiceItemVersion.get(id=case.item_version_id)
    template = template_for(version.result_template, version.delivery_options)
    if template is None:
        return None
    try:
        holder = await holders.applicant(case.person_id, case.company_id)
    except holders.RealNameNeeded as exc:
        raise Conflict("申请人未完成实名认证，不能签发电子证明",
                       code="CERTIFICATE_HOLDER_UNVERIFIED") from exc
    dept = await Department.get(id=case.department_id)
    values: dict[str, Any] = {
        "case.number": case.number, "case.result_note": note or "准予办理",
        "item.name": case.item_name,
        **{f"form.{k}": v for k, v in forms.unseal(case.form_data).items()},
    }
    seq = await Certificate.filter(case_id=case.id).count() + 1
    draft = Draft(
        type_code=template.type_code, title=template.title, statement=template.statement,
        valid_days=template.valid_days, holder=holder, person_id=case.person_id,
        department_id=dept.id, department_code=dept.code, department_name=dept.name,
        number=f"{dept.code}-{case.number}-{seq:02d}", rows=rows_for(template, holder, values),
        case_id=case.id, case_no=case.number,
    )
    return await build_async(draft)


async def record_for_case(built: Built, actor_id: str, conn: BaseDBAsyncClient) -> Certificate:
    return await record(built, "staff", actor_id, conn)
