"""一件事 in the catalogue: bundles loaded from ``data/bundles.json`` (a changed guide becomes a
new version, as for items), searched, and shown as one guide that merges the members'
conditions, form fields (a shared field asked once), materials (a shared one given once) and
fees."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tortoise.transactions import in_transaction

from app.catalogue.fees import fee_lines
from app.catalogue.search import initials, normalize
from app.errors import NotFound
from app.reforms.bundle_schemas import BundleCreate, BundleFile
from models.bundles import Bundle, BundleVersion
from models.catalogue import ServiceItem, ServiceItemVersion
from models.core import Department

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "bundles.json"
GUIDE_FIELDS = ("name", "description", "keywords", "members", "selectors", "field_map",
                "shared_materials")


class BundleNotFound(NotFound):
    code = "BUNDLE_NOT_FOUND"
    message = "一件事不存在或未发布"


def read(path: Path = DEFAULT_PATH) -> BundleFile:
    return BundleFile.model_validate(json.loads(path.read_text(encoding="utf-8")))


async def seed(path: Path = DEFAULT_PATH) -> int:
    """Load the data file; answer how many bundles got a new version."""
    data = read(path)
    changed = 0
    for b in data.bundles:
        changed += await save(b)
    return changed


async def save(b: BundleCreate) -> int:
    dept = await Department.get_or_none(code=b.lead_department)
    if dept is None:
        raise ValueError(f"bundle {b.code}: unknown department {b.lead_department!r}")
    known = set(await ServiceItem.filter(code__in=[m.item_code for m in b.members]).values_list(
        "code", flat=True))
    if missing := {m.item_code for m in b.members} - known:
        raise ValueError(f"bundle {b.code}: unknown items {sorted(missing)}")
    dumped = b.model_dump(mode="json", by_alias=True)
    fields = {k: dumped[k] for k in GUIDE_FIELDS}
    async with in_transaction():
        row, _ = await Bundle.get_or_create(code=b.code,
                                            defaults={"lead_department_id": dept.id})
        latest = await BundleVersion.filter(bundle_id=row.id).order_by("-version").first()
        if latest is not None and all(getattr(latest, k) == v for k, v in fields.items()):
            return 0
        version = await BundleVersion.create(
            bundle_id=row.id, version=latest.version + 1 if latest else 1, **fields)
        await Bundle.filter(id=row.id).update(published=True, published_version_id=version.id,
                                              lead_department_id=dept.id)
    return 1


@dataclass
class Loaded:
    bundle: Bundle
    version: BundleVersion
    items: dict[str, tuple[ServiceItem, ServiceItemVersion]]
    departments: dict[int, str]


async def load(code: str, version_id: int | None = None) -> Loaded:
    bundle = await Bundle.get_or_none(code=code, published=True)
    if bundle is None or bundle.published_version_id is None:
        raise BundleNotFound()
    version = await BundleVersion.get(id=version_id or bundle.published_version_id)
    codes = [m["item_code"] for m in version.members]
    rows = await ServiceItem.filter(code__in=codes, published=True)
    versions = {v.id: v for v in await ServiceItemVersion.filter(
        id__in=[r.published_version_id for r in rows])}
    items = {r.code: (r, versions[r.published_version_id]) for r in rows
             if r.published_version_id in versions}
    if len(items) != len(codes):
        raise BundleNotFound("一件事的成员事项暂未全部发布")
    dept_ids = {r.department_id for r, _ in items.values()} | {bundle.lead_department_id}
    departments = dict(await Department.filter(id__in=dept_ids).values_list("id", "name"))
    return Loaded(bundle, version, items, {int(k): str(v) for k, v in departments.items()})


def member_field(loaded: Loaded, item_code: str, name: str) -> str:
    """The bundle's name of a member's form field (shared fields map to one name)."""
    return str((loaded.version.field_map or {}).get(item_code, {}).get(name, name))


def merged_form(loaded: Loaded, codes: list[str]) -> list[dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for code in codes:
        _, version = loaded.items[code]
        for f in (version.form_schema or {}).get("fields", []):
            name = member_field(loaded, code, f["name"])
            if name in out:  # asked once: required if any member requires it
                out[name]["required"] = out[name]["required"] or f.get("required", True)
                out[name]["members"].append(code)
            else:
                out[name] = {**f, "name": name, "required": f.get("required", True),
                             "members": [code]}
    return list(out.values())


def material_keys(loaded: Loaded) -> dict[tuple[str, str], str]:
    """(item code, material code) → the key of the upload that serves it."""
    keys = {(code, mat): shared["key"] for shared in loaded.version.shared_materials or []
            for code, mat in shared["members"].items()}
    for code, (_, version) in loaded.items.items():
        for m in version.materials or []:
            keys.setdefault((code, m["code"]), f"{code}:{m['code']}")
    return keys


def merged_materials(loaded: Loaded, codes: list[str]) -> list[dict[str, Any]]:
    keys = material_keys(loaded)
    names = {s["key"]: s["name"] for s in loaded.version.shared_materials or []}
    out: dict[str, dict[str, Any]] = {}
    for code in codes:
        for m in loaded.items[code][1].materials or []:
            key = keys[(code, m["code"])]
            entry = out.setdefault(key, {"key": key, "name": names.get(key, m["name"]),
                                         "required": False, "members": []})
            entry["required"] = entry["required"] or bool(m.get("required"))
            entry["members"].append(code)
    return list(out.values())


def guide(loaded: Loaded) -> dict[str, Any]:
    codes = [m["item_code"] for m in loaded.version.members]
    fees = [{"item_code": code, "name": line["name"], "amount_fen": line["amount_fen"],
             "collecting_unit_code": line["collecting_unit_code"]}
            for code in codes for line in fee_lines(loaded.items[code][1], None)]
    members = []
    for m in loaded.version.members:
        item, version = loaded.items[m["item_code"]]
        members.append({
            "item_code": m["item_code"], "name": version.name,
            "department": loaded.departments.get(item.department_id, ""),
            "required": m.get("required", True), "when": m.get("when"),
            "excludes": m.get("excludes", []), "conditions": version.conditions,
            "online_depth": version.online_depth,
            "promised_limit_days": version.promised_limit_days,
            "total_fee_fen": sum(f["amount_fen"] for f in fees if f["item_code"] == m["item_code"]),
        })
    return {"code": loaded.bundle.code, "name": loaded.version.name,
            "description": loaded.version.description, "version": loaded.version.version,
            "lead_department": loaded.departments.get(loaded.bundle.lead_department_id, ""),
            "members": members, "selectors": loaded.version.selectors,
            "form": merged_form(loaded, codes), "materials": merged_materials(loaded, codes),
            "fees": fees, "total_fee_fen": sum(f["amount_fen"] for f in fees)}


async def search(q: str) -> list[dict[str, Any]]:
    """Published bundles whose name, keywords or member item names hold the words asked."""
    bundles = await Bundle.filter(published=True, published_version_id__isnull=False)
    versions = {v.id: v for v in await BundleVersion.filter(
        id__in=[b.published_version_id for b in bundles])}
    item_names = dict(await ServiceItemVersion.filter(
        id__in=await ServiceItem.filter(published=True).values_list(
            "published_version_id", flat=True)).values_list("item__code", "name"))
    depts = dict(await Department.all().values_list("id", "name"))
    wanted = normalize(q)
    out = []
    for b in bundles:
        v = versions[b.published_version_id]  # type: ignore[index]
        names = [str(item_names.get(m["item_code"], m["item_code"])) for m in v.members]
        text = normalize(" ".join([v.name, v.description, *v.keywords, *names]))
        if not wanted or wanted in text or wanted in initials(v.name):
            out.append({"code": b.code, "name": v.name, "description": v.description,
                        "lead_department": str(depts.get(b.lead_department_id, "")),
                        "members": names, "version": v.version})
    return out
