"""Maintaining the catalogue (role admin, own department): create, edit as a new version,
publish, unpublish. A version is never changed once written, so a case keeps exactly the
guide it was filed under; publishing only moves the item's pointer."""

from __future__ import annotations

from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from app import clock
from app.catalogue.cache import CatalogueCache
from app.catalogue.schemas import Guide, ItemCreate
from app.catalogue.service import ItemNotFound
from app.catalogue.snapshot import GUIDE_FIELDS, guide_dict
from app.errors import Conflict, Forbidden
from app.staff import StaffPrincipal
from models.catalogue import ServiceItem, ServiceItemVersion
from models.core import AuditLog, Department


def _version_fields(guide: Guide) -> dict[str, Any]:
    data = guide.model_dump(mode="json")
    return {name: data[name] for name in GUIDE_FIELDS}


async def _audit(
    staff: StaffPrincipal, action: str, code: str, detail: dict[str, Any], conn: Any
) -> None:
    """Written in the change's own transaction: no change without its audit row."""
    await AuditLog.create(
        actor_kind="staff",
        actor_id=str(staff.id),
        action=action,
        target=f"item:{code}",
        detail=detail,
        using_db=conn,
    )


async def _own_item(code: str, staff: StaffPrincipal) -> ServiceItem:
    # another department's item answers 404, as if it did not exist
    item = await ServiceItem.get_or_none(code=code, department_id=staff.department_id)
    if item is None:
        raise ItemNotFound("事项不存在")
    return item


async def create_item(data: ItemCreate, staff: StaffPrincipal) -> dict[str, Any]:
    dept = await Department.get(id=staff.department_id)
    if data.department is not None and data.department != dept.code:
        raise Forbidden("只能维护本部门的事项", code="OTHER_DEPARTMENT")
    try:
        async with in_transaction() as conn:
            item = await ServiceItem.create(
                code=data.code, basic_code=data.basic_code, department_id=dept.id, using_db=conn
            )
            await ServiceItemVersion.create(
                item=item, version=1, created_by=staff.id, **_version_fields(data), using_db=conn
            )
            await _audit(staff, "catalogue.create", data.code, {"version": 1}, conn)
    except IntegrityError as exc:
        raise Conflict("实施编码已存在", code="ITEM_CODE_TAKEN") from exc
    return await staff_item(data.code, staff)


async def edit_item(
    code: str, guide: Guide, staff: StaffPrincipal, cache: CatalogueCache
) -> dict[str, Any]:
    """Write the edited guide as the next version; the published one stays until publish."""
    item = await _own_item(code, staff)
    try:
        async with in_transaction() as conn:
            # serialize version numbers
            await ServiceItem.select_for_update().using_db(conn).get(id=item.id)
            last = await ServiceItemVersion.filter(item_id=item.id).using_db(conn).order_by(
                "-version"
            ).first()
            number = (last.version if last else 0) + 1
            await ServiceItemVersion.create(
                item_id=item.id, version=number, created_by=staff.id, **_version_fields(guide),
                using_db=conn,
            )
            await _audit(staff, "catalogue.edit", code, {"version": number}, conn)
    except IntegrityError as exc:  # SQLite has no row locks: two edits at once
        raise Conflict("该事项正在被他人编辑，请刷新后重试", code="VERSION_CONFLICT") from exc
    await cache.bump()
    return await staff_item(code, staff)


async def publish_item(
    code: str, version: int | None, staff: StaffPrincipal, cache: CatalogueCache
) -> dict[str, Any]:
    item = await _own_item(code, staff)
    versions = ServiceItemVersion.filter(item_id=item.id)
    target = await (
        versions.filter(version=version) if version else versions.order_by("-version")
    ).first()
    if target is None:
        raise ItemNotFound("该版本不存在", code="VERSION_NOT_FOUND")
    async with in_transaction() as conn:
        await ServiceItem.filter(id=item.id).using_db(conn).update(
            published=True,
            published_version_id=target.id,
            published_at=clock.now(),
            updated_at=clock.now(),
        )
        await _audit(staff, "catalogue.publish", code, {"version": target.version}, conn)
    await cache.bump()
    return await staff_item(code, staff)


async def unpublish_item(code: str, staff: StaffPrincipal, cache: CatalogueCache) -> dict[str, Any]:
    item = await _own_item(code, staff)
    # cases already filed keep their version; only new applications are stopped
    async with in_transaction() as conn:
        await ServiceItem.filter(id=item.id).using_db(conn).update(
            published=False, updated_at=clock.now()
        )
        await _audit(staff, "catalogue.unpublish", code, {}, conn)
    await cache.bump()
    return await staff_item(code, staff)


def _item_meta(item: ServiceItem, versions: list[ServiceItemVersion]) -> dict[str, Any]:
    published = next((v.version for v in versions if v.id == item.published_version_id), None)
    return {
        "code": item.code,
        "basic_code": item.basic_code,
        "department": {"code": item.department.code, "name": item.department.name},
        "name": versions[-1].name if versions else "",
        "published": item.published,
        "published_version": published,
        "published_at": clock.iso(item.published_at),
        "latest_version": versions[-1].version if versions else None,
    }


async def staff_items(staff: StaffPrincipal) -> list[dict[str, Any]]:
    items = (
        await ServiceItem.filter(department_id=staff.department_id)
        .select_related("department")
        .order_by("code")
    )
    versions = (
        await ServiceItemVersion.filter(item_id__in=[i.id for i in items])
        .order_by("version")
        .only("id", "item_id", "version", "name")
    )
    by_item: dict[int, list[ServiceItemVersion]] = {}
    for v in versions:
        by_item.setdefault(v.item_id, []).append(v)
    return [_item_meta(i, by_item.get(i.id, [])) for i in items]


async def staff_item(code: str, staff: StaffPrincipal) -> dict[str, Any]:
    """Item, its version history, and the latest version's guide (what an editor starts from)."""
    item = await _own_item(code, staff)
    await item.fetch_related("department")
    versions = await ServiceItemVersion.filter(item_id=item.id).order_by("version")
    out = _item_meta(item, versions)
    out["versions"] = [
        {
            "version": v.version,
            "version_id": v.id,
            "name": v.name,
            "created_at": clock.iso(v.created_at),
            "created_by": v.created_by,
        }
        for v in versions
    ]
    out["latest"] = guide_dict(item, versions[-1], item.department) if versions else None
    return out


async def staff_version(code: str, version: int, staff: StaffPrincipal) -> dict[str, Any]:
    item = await _own_item(code, staff)
    await item.fetch_related("department")
    row = await ServiceItemVersion.get_or_none(item_id=item.id, version=version)
    if row is None:
        raise ItemNotFound("该版本不存在", code="VERSION_NOT_FOUND")
    return guide_dict(item, row, item.department)
