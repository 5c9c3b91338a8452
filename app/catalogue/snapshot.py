"""One generation of the published catalogue, serialized once: guide JSON per item, the
summaries the list filters over, the search index, and memoized list answers."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from app import clock
from app.catalogue.schemas import LEGACY_TRUST_LEVELS, TrustLevel
from app.catalogue.search import SearchIndex
from models.catalogue import ServiceItem, ServiceItemVersion
from models.core import Department

LIST_MEMO_MAX = 512
GUIDE_FIELDS = (
    "name",
    "item_type",
    "legal_basis",
    "conditions",
    "materials",
    "steps",
    "special_stages",
    "legal_limit_days",
    "promised_limit_days",
    "fees",
    "fee_timing",
    "online_depth",
    "visits",
    "delivery_options",
    "postage_fen",
    "required_realname_level",
    "channels",
    "themes",
    "keywords",
    "form_schema",
    "consult_phone",
    "complaint_phone",
    "faq",
    "result_template",
)


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _material(spec: dict[str, Any]) -> dict[str, Any]:
    """A material as answered: a legacy numeric trust level (1–3) reads as its letter, as the
    documented schema says (``TrustLevel``)."""
    level = spec.get("min_trust_level")
    if isinstance(level, int) and not isinstance(level, bool):
        return {**spec, "min_trust_level": LEGACY_TRUST_LEVELS.get(level, TrustLevel.D).value}
    return spec


def guide_dict(item: ServiceItem, version: ServiceItemVersion, dept: Department) -> dict[str, Any]:
    """The full 办事指南 of one version, as citizens and staff read it."""
    guide: dict[str, Any] = {
        "code": item.code,
        "basic_code": item.basic_code,
        "department": {
            "code": dept.code,
            "name": dept.name,
            "phone": dept.phone,
            "address": dept.address,
        },
        "version": version.version,
        "version_id": version.id,
    }
    for name in GUIDE_FIELDS:
        guide[name] = getattr(version, name)
    guide["materials"] = [_material(m) for m in version.materials or []]
    guide["total_fee_fen"] = sum(f["amount_fen"] for f in version.fees)
    guide["updated_at"] = clock.iso(version.created_at)
    return guide


def summary_dict(guide: dict[str, Any]) -> dict[str, Any]:
    return {
        "code": guide["code"],
        "name": guide["name"],
        "department": {"code": guide["department"]["code"], "name": guide["department"]["name"]},
        "item_type": guide["item_type"],
        "online_depth": guide["online_depth"],
        "visits": guide["visits"],
        "promised_limit_days": guide["promised_limit_days"],
        "total_fee_fen": guide["total_fee_fen"],
        "themes": guide["themes"],
        "channels": guide["channels"],
        "delivery_options": guide["delivery_options"],
    }


@dataclass(frozen=True, slots=True)
class ListQuery:
    department: str | None = None
    theme: str | None = None
    online_depth: str | None = None
    channel: str | None = None
    q: str | None = None
    page: int = 1
    page_size: int = 20


@dataclass
class Snapshot:
    generation: str
    base_url: str
    summaries: list[dict[str, Any]]
    details: dict[str, bytes]
    index: SearchIndex
    facets: bytes
    _lists: dict[ListQuery, bytes] = field(default_factory=dict)
    etags: dict[str, str] = field(default_factory=dict)

    def summary(self, code: str) -> dict[str, Any] | None:
        return self._by_code.get(code)

    def __post_init__(self) -> None:
        self._by_code = {s["code"]: s for s in self.summaries}
        # from the content, so an unchanged guide keeps its ETag across generations and restarts
        for code, body in self.details.items():
            self.etags.setdefault(code, f'"{hashlib.blake2b(body, digest_size=10).hexdigest()}"')

    def item_url(self, code: str) -> str:
        return f"{self.base_url}/guide/{code}"  # base_url is the H5 root (app.links.h5_base)

    def matching(self, query: ListQuery) -> list[dict[str, Any]]:
        if query.q:
            rows = [self._by_code[k] for k in self.index.search(query.q)]
        else:
            rows = self.summaries
        return [
            s
            for s in rows
            if (query.department is None or s["department"]["code"] == query.department)
            and (query.theme is None or query.theme in s["themes"])
            and (query.online_depth is None or s["online_depth"] == query.online_depth)
            and (query.channel is None or query.channel in s["channels"])
        ]

    def list_json(self, query: ListQuery) -> bytes:
        cached = self._lists.get(query)
        if cached is not None:
            return cached
        rows = self.matching(query)
        start = (query.page - 1) * query.page_size
        body = dumps(
            {
                "items": rows[start : start + query.page_size],
                "total": len(rows),
                "page": query.page,
                "page_size": query.page_size,
            }
        )
        if len(self._lists) >= LIST_MEMO_MAX:  # odd queries must not grow memory without end
            self._lists.clear()
        self._lists[query] = body
        return body


def _facets(summaries: list[dict[str, Any]]) -> dict[str, Any]:
    def count(values: list[Any]) -> dict[Any, int]:
        out: dict[Any, int] = {}
        for v in values:
            out[v] = out.get(v, 0) + 1
        return out

    depts: dict[str, dict[str, Any]] = {}
    for s in summaries:
        d = depts.setdefault(s["department"]["code"], {**s["department"], "count": 0})
        d["count"] += 1
    themes = count([t for s in summaries for t in s["themes"]])
    return {
        "departments": sorted(depts.values(), key=lambda d: d["code"]),
        "themes": [
            {"name": k, "count": v} for k, v in sorted(themes.items(), key=lambda kv: -kv[1])
        ],
        "online_depths": [
            {"name": k, "count": v}
            for k, v in count([s["online_depth"] for s in summaries]).items()
        ],
        "channels": [
            {"name": k, "count": v}
            for k, v in count([c for s in summaries for c in s["channels"]]).items()
        ],
    }


async def build_snapshot(generation: str, base_url: str) -> Snapshot:
    items = (
        await ServiceItem.filter(published=True, published_version_id__isnull=False)
        .select_related("department")
        .order_by("department__code", "code")
    )
    versions = {
        v.id: v
        for v in await ServiceItemVersion.filter(id__in=[i.published_version_id for i in items])
    }
    guides = [
        guide_dict(i, versions[i.published_version_id], i.department)
        for i in items
        if i.published_version_id in versions
    ]
    summaries = [summary_dict(g) for g in guides]
    index = SearchIndex(
        (g["code"], g["name"], [*g["themes"], *g["keywords"], g["department"]["name"]])
        for g in guides
    )
    return Snapshot(
        generation=generation,
        base_url=base_url.rstrip("/"),
        summaries=summaries,
        details={g["code"]: dumps(g) for g in guides},
        index=index,
        facets=dumps(_facets(summaries)),
    )
