"""容缺受理: a case accepted with non-key materials missing, each with a 补齐 deadline.

What waits for them is the item's choice per material (``Tolerance.hold``): the result is
withheld (出件 refused until they arrive) or issued but not delivered (no shipment, no
completion). Reminders and overdue alerts: ``app.reforms.deadlines``.
"""

from __future__ import annotations

from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient
from tortoise.transactions import in_transaction

from app import clock
from app.cases.materials import material_spec, store_upload, supersede_others
from app.cases.transitions import Actor, record_step
from app.errors import Conflict, NotFound
from app.reforms.pledges import end_of_workday, pledged_codes
from models.cases import Case, CaseStatus, Material
from models.catalogue import ServiceItemVersion
from models.reforms import ToleranceStatus, ToleratedMaterial

S = CaseStatus
ENDED = frozenset({S.completed, S.withdrawn, S.refused, S.denied})


def tolerated_specs(version_materials: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(m["code"]): m for m in version_materials or [] if m.get("tolerance")}


async def excused_codes(case: Case, version_materials: list[dict[str, Any]],
                        conn: BaseDBAsyncClient | None = None) -> set[str]:
    """The required materials a submission may lack: pledged ones and 容缺 ones."""
    return await pledged_codes(case.id, conn) | set(tolerated_specs(version_materials))


async def record_missing(case: Case, version_materials: list[dict[str, Any]], actor: Actor,
                         conn: BaseDBAsyncClient) -> list[ToleratedMaterial]:
    """At 受理: every 容缺 material still missing gets a 补齐 deadline (timeline: 容缺受理)."""
    specs = tolerated_specs(version_materials)
    if not specs:
        return []
    have = {str(c) for c in await Material.filter(case_id=case.id, superseded=False).using_db(
        conn).values_list("code", flat=True)} | await pledged_codes(case.id, conn)
    at = case.accepted_at or clock.now()
    rows = [ToleratedMaterial(
        case_id=case.id, department_id=case.department_id, person_id=case.person_id,
        material_code=code, material_name=str(spec.get("name", code)),
        hold=str(spec["tolerance"].get("hold", "result")),
        due_at=end_of_workday(at, int(spec["tolerance"].get("workdays", 10))),
    ) for code, spec in specs.items() if code not in have]
    if rows:
        await ToleratedMaterial.bulk_create(rows, using_db=conn)
        names = "、".join(r.material_name for r in rows)
        await record_step(case, actor=actor, reason=f"容缺受理，待补齐：{names}",
                          data={"label": "容缺受理", "materials": [
                              {"code": r.material_code, "due": clock.iso(r.due_at),
                               "hold": r.hold} for r in rows]}, connection=conn)
    return rows


class ToleranceNotOutstanding(NotFound):
    code = "TOLERANCE_NOT_OUTSTANDING"
    message = "该材料无需补齐"


async def supply(case: Case, person_id: int, *, code: str, filename: str,
                 content: bytes) -> Material:
    """The applicant supplies a 容缺 material after 受理 (the only upload allowed then)."""
    if S(case.status) in ENDED:
        raise Conflict("办件已结束", code="CASE_NOT_EDITABLE")
    version = await ServiceItemVersion.get(id=case.item_version_id)
    spec = material_spec(version.materials, code)
    if not await ToleratedMaterial.filter(case_id=case.id, material_code=code,
                                          status=ToleranceStatus.outstanding).exists():
        raise ToleranceNotOutstanding()
    stored = await store_upload(content, filename, code)
    async with in_transaction() as conn:
        locked = await Case.select_for_update().using_db(conn).get(id=case.id)
        now = clock.now()
        material = await Material.create(
            case_id=case.id, code=code, name=spec.get("name", code), kind="upload",
            filename=stored.filename, content_type=stored.content_type, size=stored.size,
            sha256=stored.sha256, storage_path=stored.storage_path, using_db=conn)
        won = await ToleratedMaterial.filter(
            case_id=case.id, material_code=code, status=ToleranceStatus.outstanding,
        ).using_db(conn).update(status=ToleranceStatus.supplied, supplied_at=now,
                                material_id=material.id)
        if not won:  # a second upload racing the first
            raise ToleranceNotOutstanding()
        await supersede_others(material, conn)
        await record_step(locked, actor=Actor("citizen", str(person_id)),
                          reason=f"已补齐容缺材料“{material.name}”",
                          data={"label": "容缺材料补齐", "material_code": code,
                                "material_id": material.id}, connection=conn)
    return material


async def ensure_released(case_id: int, stage: str) -> None:
    """409 ``TOLERATED_MATERIALS_OUTSTANDING`` while a 容缺 material holds ``stage`` back:
    ``result`` (出件) waits for those held at the result, ``delivery`` for every one."""
    holds = ["result"] if stage == "result" else ["result", "delivery"]
    waiting = await ToleratedMaterial.filter(
        case_id=case_id, status=ToleranceStatus.outstanding, hold__in=holds).values_list(
        "material_name", flat=True)
    if waiting:
        what = "出具办理结果" if stage == "result" else "送达办理结果"
        raise Conflict(f"容缺材料尚未补齐（{'、'.join(map(str, waiting))}），暂不能{what}",
                       code="TOLERATED_MATERIALS_OUTSTANDING",
                       fields={"materials": [str(w) for w in waiting]})


def view(t: ToleratedMaterial) -> dict[str, Any]:
    return {"id": t.id, "material_code": t.material_code, "material_name": t.material_name,
            "hold": t.hold, "due_at": clock.iso(t.due_at),
            "status": ToleranceStatus(t.status).value, "supplied_at": clock.iso(t.supplied_at),
            "material_id": t.material_id, "overdue": t.status == ToleranceStatus.outstanding
            and t.due_at <= clock.now()}


async def of_case(case_id: int) -> list[ToleratedMaterial]:
    return await ToleratedMaterial.filter(case_id=case_id).order_by("id")
