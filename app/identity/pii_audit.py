"""Staff reads of unmasked personal data: allowed with a reason, and every read is logged.

A person's own record (phone, name, ID number) and what their cases carry (a masked form
field revealed, an uploaded material opened) are logged alike, the latter with the case, so
"who read this person's data, and why" has one answer."""

from __future__ import annotations

from app.errors import ApiError, NotFound
from app.security import pii
from models.cases import Case
from models.core import StaffAccount
from models.identity import Person, PiiAccessLog

FIELDS = {"phone": "phone_enc", "name": "name_enc", "id_number": "id_number_enc"}


async def _serves(person_id: int, department_id: int | None) -> bool:
    """A clerk may read the data of the people whose cases their department handles: filed
    cases, not a draft its author has not sent."""
    if department_id is None:  # admin
        return True
    return await Case.filter(person_id=person_id, department_id=department_id).exclude(
        status="draft").exists()


def checked_reason(reason: str) -> str:
    """The reason every unmasked read must give (at least four characters)."""
    if len(reason.strip()) < 4:
        raise ApiError(
            "请填写查看原因", code="REASON_REQUIRED", status=422, fields={"reason": "必填"}
        )
    return reason.strip()[:200]


async def reveal(
    staff_id: int, person_id: int, field: str, reason: str, *, department_id: int | None
) -> str:
    """``department_id`` None for an admin; otherwise only people with a case there."""
    column = FIELDS.get(field)
    if column is None:
        raise ApiError("不支持的字段", code="FIELD_UNKNOWN", status=422, fields={"field": "不支持"})
    checked_reason(reason)
    person = await Person.get_or_none(id=person_id)
    if person is not None and not await _serves(person_id, department_id):
        person = None  # another department's applicant: as if unknown
    value = getattr(person, column) if person else None
    if value is None:
        raise NotFound("没有该信息", code="PII_NOT_FOUND")
    await PiiAccessLog.create(
        staff_id=staff_id, person_id=person_id, field=field, reason=checked_reason(reason)
    )
    return pii.decrypt(value)


async def log_case_read(staff_id: int, case: Case, what: str, reason: str) -> None:
    """Log a read of a case's personal content (``form.<field>`` or ``material:<id>``),
    under the case's applicant. Written before the content is handed out."""
    await PiiAccessLog.create(staff_id=staff_id, person_id=case.person_id,
                              case_id=case.id, field=what[:32], reason=checked_reason(reason))


async def reads_of(person_id: int) -> list[dict[str, object]]:
    rows = await PiiAccessLog.filter(person_id=person_id).order_by("-created_at")
    return [_read(r) for r in rows]


async def reads_of_case(case_id: int, *, limit: int = 100) -> list[dict[str, object]]:
    """The unmasked reads of one case, newest first, with who read."""
    rows = await PiiAccessLog.filter(case_id=case_id).order_by("-id").limit(limit)
    names = dict(await StaffAccount.filter(id__in={r.staff_id for r in rows}).values_list(
        "id", "display_name"))
    return [{**_read(r), "staff_name": names.get(r.staff_id)} for r in rows]


def _read(r: PiiAccessLog) -> dict[str, object]:
    return {"staff_id": r.staff_id, "field": r.field, "reason": r.reason,
            "case_id": r.case_id, "at": r.created_at.isoformat()}
