"""Trust levels of materials (A–D), decided here and nowhere else, and the item's per-material
minimum enforced at submission and again at 受理.

- **A**: fetched from the licence library (signature checked), or a certificate we issued;
- **B**: checked against an authoritative source — an ID card upload by a person whose
  name and ID number the ID check confirmed;
- **C**: uploaded, accepted by staff at 预审 (受理 is that acceptance; at submission an upload
  counts as what 预审 will make it);
- **D**: self-declared (and a licence number typed before licences were checked).

At 受理 the A materials are looked at again: a certificate revoked or superseded since, or a
licence that had lapsed by the submission date, no longer counts as A.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app import clock
from app.catalogue.schemas import LEGACY_TRUST_LEVELS, TrustLevel
from app.errors import ValidationFailed
from models.cases import Case, Material
from models.certificates import Certificate, CertificateStatus, MaterialSource
from models.identity import Person

T = TrustLevel
RANK = {T.A: 4, T.B: 3, T.C: 2, T.D: 1}
ID_CARD = "居民身份证"


def minimum(spec: dict[str, Any]) -> TrustLevel:
    raw = spec.get("min_trust_level")
    if isinstance(raw, int) and not isinstance(raw, bool):
        return LEGACY_TRUST_LEVELS.get(raw, T.D)
    try:
        return TrustLevel(str(raw)) if raw is not None else T.D
    except ValueError:
        return T.D


async def levels(case: Case, version_materials: list[dict[str, Any]], present: list[Material],
                 *, on: date, conn: BaseDBAsyncClient | None = None) -> dict[int, TrustLevel]:
    """The level of each material (by id), licences judged valid on the day ``on``."""
    kinds = {str(s.get("code")): s.get("elicence_type") for s in version_materials or []}
    ids = [m.id for m in present]
    sources = {s.material_id: s for s in await MaterialSource.filter(
        material_id__in=ids).using_db(conn)} if ids else {}
    cert_ids = [s.certificate_id for s in sources.values() if s.certificate_id]
    certs = {c.id: c for c in await Certificate.filter(id__in=cert_ids).using_db(conn)
             } if cert_ids else {}
    person = await Person.filter(id=case.person_id).using_db(conn).only(
        "id", "realname_level").first()
    checked = person is not None and person.realname_level >= 2
    out: dict[int, TrustLevel] = {}
    for m in present:
        source = sources.get(m.id)
        if m.kind == "elicence":
            out[m.id] = T.A if source and _still_good(source, certs, on) else T.D
        elif kinds.get(m.code) == ID_CARD and checked and case.company_id is None:
            out[m.id] = T.B
        else:
            out[m.id] = T.C
    return out


def _still_good(source: MaterialSource, certs: dict[int, Certificate], on: date) -> bool:
    if source.valid_until is not None and source.valid_until < on:
        return False
    if source.certificate_id is not None:
        cert = certs.get(source.certificate_id)
        return cert is not None and cert.status == CertificateStatus.valid
    return True


async def enforce(case: Case, version_materials: list[dict[str, Any]],
                  present: list[Material], *, on: date,
                  conn: BaseDBAsyncClient | None = None) -> None:
    """422 ``MATERIAL_TRUST_TOO_LOW`` naming every material below its item's minimum."""
    current = [m for m in present if not m.superseded]
    found = await levels(case, version_materials, current, on=on, conn=conn)
    by_code = {m.code: found[m.id] for m in current}
    problems: dict[str, str] = {
        f"materials.{m.code}": f"{m.name}所用电子证照已失效，请重新选择证照或上传材料"
        for m in current if m.kind == "elicence" and found[m.id] is T.D
    }
    for spec in version_materials or []:
        code = spec.get("code")
        wanted = minimum(spec)
        have = by_code.get(str(code))
        if have is None or RANK[have] >= RANK[wanted] or f"materials.{code}" in problems:
            continue
        name = spec.get("name", code)
        hint = "，请使用电子证照（免提交）" if wanted is T.A else ""
        problems[f"materials.{code}"] = f"{name}须达到{wanted.value}级（当前{have.value}级）{hint}"
    if problems:
        raise ValidationFailed("材料可信度不足：" + "；".join(problems.values()),
                               code="MATERIAL_TRUST_TOO_LOW", fields=problems)


def submission_day(case: Case) -> date:
    return clock.local(case.submitted_at or clock.now()).date()


def view_level(material: Material, level: TrustLevel | None) -> dict[str, Any]:
    return {"trust_level": level.value if level else None,
            "source": "licence_library" if material.kind == "elicence" else "upload"}
