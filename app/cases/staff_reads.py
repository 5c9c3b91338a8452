"""预审 needs the real thing: staff open a case's uploaded materials and reveal a masked form
field, each time giving a reason that is logged (``app.identity.pii_audit``) before anything
is handed out. The caller has already scoped the case to the staff member."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from app import storage
from app.cases import forms
from app.cases.materials import open_name, open_upload
from app.errors import ApiError, NotFound
from app.identity import pii_audit
from app.staff import StaffPrincipal
from models.cases import Case, Material
from models.catalogue import ServiceItemVersion

# shown in the browser; anything else (OFD …) is downloaded
INLINE_TYPES = frozenset({"image/jpeg", "image/png", "application/pdf"})


@dataclass(frozen=True)
class MaterialContent:
    material: Material
    content: AsyncIterator[bytes]  # the plain bytes, opened piece by piece as they are sent

    @property
    def filename(self) -> str | None:
        return open_name(self.material.filename)

    @property
    def inline(self) -> bool:
        return (self.material.content_type or "") in INLINE_TYPES


async def open_material(
    staff: StaffPrincipal, case: Case, material_id: int, reason: str
) -> MaterialContent:
    material = await Material.get_or_none(id=material_id, case_id=case.id)
    if material is None:
        raise NotFound("材料不存在", code="MATERIAL_NOT_FOUND")
    if material.kind != "upload":
        raise ApiError("该材料以电子证照代替，没有上传文件", code="MATERIAL_NO_FILE",
                       status=409)
    pii_audit.checked_reason(reason)
    if not material.storage_path or not await storage.store().exists(material.storage_path):
        raise NotFound("材料文件缺失", code="MATERIAL_FILE_MISSING")
    content = open_upload(material)
    await pii_audit.log_case_read(staff.id, case, f"material:{material.id}", reason)
    return MaterialContent(material, content)


async def reveal_field(staff: StaffPrincipal, case: Case, field: str, reason: str) -> str:
    """The unmasked value of one personal form field (the others are not masked at all)."""
    version = await ServiceItemVersion.get(id=case.item_version_id)
    specs = {f["name"]: f for f in (version.form_schema or {}).get("fields", [])}
    values = forms.unseal(case.form_data)
    if field not in specs or field not in values:
        raise NotFound("表单没有该项", code="FIELD_NOT_FOUND")
    if not forms.is_personal(specs[field]):
        raise ApiError("该项未打码，无需查看原文", code="FIELD_NOT_MASKED", status=409)
    pii_audit.checked_reason(reason)
    await pii_audit.log_case_read(staff.id, case, f"form.{field}", reason)
    return str(values[field])
