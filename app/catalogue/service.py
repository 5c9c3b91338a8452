"""Reading the catalogue: lists, search and guides of published items, served from the
per-worker cache (``cache.py``); and the versions cases are filed under."""

from __future__ import annotations

from typing import Any

from app.catalogue.cache import CatalogueCache, current
from app.catalogue.snapshot import ListQuery, guide_dict
from app.errors import NotFound
from models.catalogue import ServiceItem, ServiceItemVersion


class ItemNotFound(NotFound):
    code = "ITEM_NOT_FOUND"
    message = "事项不存在或未发布"


async def item_list_json(query: ListQuery, cache: CatalogueCache | None = None) -> bytes:
    snap = await (cache or current()).snapshot()
    return snap.list_json(query)


async def item_detail_json(code: str, cache: CatalogueCache | None = None) -> tuple[bytes, str]:
    """The serialized guide of a published item and its ETag."""
    snap = await (cache or current()).snapshot()
    body = snap.details.get(code)
    if body is None:
        raise ItemNotFound()
    return body, snap.etags[code]


async def facets_json(cache: CatalogueCache | None = None) -> bytes:
    return (await (cache or current()).snapshot()).facets


async def search_items(q: str, limit: int = 5) -> list[dict[str, Any]]:
    """Best published matches for a keyword, Chinese, pinyin or initials (``sfz``), as
    ``{code, name, department, url}``; used by the WeChat keyword answers (指南 <关键词>)."""
    snap = await current().snapshot()
    out: list[dict[str, Any]] = []
    for code in snap.index.search(q, limit):
        s = snap.summary(code)
        if s is not None:
            out.append(
                {
                    "code": code,
                    "name": s["name"],
                    "department": s["department"]["name"],
                    "url": snap.item_url(code),
                }
            )
    return out


async def published_version(code: str) -> ServiceItemVersion:
    """The version a new case is filed under (its id is what the case keeps)."""
    item = await ServiceItem.get_or_none(code=code, published=True)
    version = None
    if item is not None and item.published_version_id is not None:
        version = await ServiceItemVersion.get_or_none(id=item.published_version_id)
    if version is None:
        raise ItemNotFound()
    return version


async def guide_for_version(version_id: int) -> dict[str, Any]:
    """The guide exactly as it was in one version, published or not (a case's own guide)."""
    version = await ServiceItemVersion.get_or_none(id=version_id).select_related(
        "item", "item__department"
    )
    if version is None:
        raise ItemNotFound()
    return guide_dict(version.item, version, version.item.department)
