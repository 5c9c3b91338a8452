"""Staff reads of unmasked personal data: allowed with a reason, and every read is logged."""

from __future__ import annotations

from app.errors import ApiError, NotFound
from app.security import pii
from models.identity import Person, PiiAccessLog

FIELDS = {"phone": "phone_enc", "name": "name_enc", "id_number": "id_number_enc"}


async def _serves(person_id: int, department_id: int | None) -> bool:
    """A clerk may read the data of the people whose cases their department handles: filed
    cases, not a draft its author has not sent."""
    if department_id is None:  # admin
        return True
    from models.cases import Case

    return await Case.filter(person_id=person_id, department_id=department_id).exclude(
        status="draft").exists()


async def reveal(
    staff_id: int, person_id: int, field: str, reason: str, *, department_id: int | None
) -> str:
    """``department_id`` None for an admin; otherwise only people with a case there."""
    column = FIELDS.get(field)
    if column is None:
        raise ApiError("不支持的字段", code="FIELD_UNKNOWN", status=422, fields={"field": "不支持"})
    if len(reason.strip()) < 4:
        raise ApiError(
            "请填写查看原因", code="REASON_REQUIRED", status=422, fields={"reason": "必填"}
        )
    person = await Person.get_or_none(id=person_id)
    if person is not None and not await _serves(person_id, department_id):
        person = None  # another department's applicant: as if unknown
    value = getattr(person, column) if person else None
    if value is None:
        raise NotFound("没有该信息", code="PII_NOT_FOUND")
    await PiiAccessLog.create(
        staff_id=staff_id, person_id=person_id, field=field, reason=reason.strip()[:200]
    )
    return pii.decrypt(value)


async def reads_of(person_id: int) -> list[dict[str, object]]:
    rows = await PiiAccessLog.filter(person_id=person_id).order_by("-created_at")
    return [
        {
            "staff_id": r.staff_id,
            "field": r.field,
            "reason": r.reason,
            "at": r.created_at.isoformat(),
        }
        for r in rows
    ]
