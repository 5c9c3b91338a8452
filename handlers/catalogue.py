"""Citizen catalogue API: published items only, answered from the per-worker cache as
ready-made JSON bytes (no database or Redis round trip on a hit)."""

from __future__ import annotations

import logging

from pydantic import BaseModel, Field
from sanic import Blueprint, HTTPResponse

from app.catalogue import service
from app.catalogue.schemas import Channel, Facets, ItemGuide, ItemList, OnlineDepth
from app.catalogue.snapshot import ListQuery
from app.context import AppRequest
from app.handler_kit import doc, id_headers, query, returns

bp = Blueprint("catalogue", url_prefix="/api/v1/items")
log = logging.getLogger("zsb.catalogue")
JSON = "application/json"


class ItemFilter(BaseModel):
    department: str | None = Field(None, max_length=32, description="部门编码, e.g. GA")
    theme: str | None = Field(None, max_length=32, description="主题 / 一件事")
    online_depth: OnlineDepth | None = None
    channel: Channel | None = None
    q: str | None = Field(None, max_length=50, description="关键词、拼音或首字母（sfz）")
    page: int = Field(1, ge=1, le=1000)
    page_size: int = Field(20, ge=1, le=100)


@bp.get("")
@doc(
    "List published service items",
    "catalogue",
    "Filters combine; `q` searches names in Chinese, pinyin or initials and orders by match.",
)
@query(ItemFilter)
@returns(ItemList)
async def list_items(request: AppRequest) -> HTTPResponse:
    f: ItemFilter = request.ctx.query
    q = ListQuery(
        department=f.department,
        theme=f.theme,
        online_depth=f.online_depth,
        channel=f.channel,
        q=(f.q or "").strip() or None,
        page=f.page,
        page_size=f.page_size,
    )
    body = await service.item_list_json(q, request.app.ctx.catalogue)
    return HTTPResponse(body, content_type=JSON, headers=id_headers())


@bp.get("/facets")
@doc("Departments, themes, online depths and channels of published items, with counts", "catalogue")
@returns(Facets)
async def facets(request: AppRequest) -> HTTPResponse:
    body = await service.facets_json(request.app.ctx.catalogue)
    return HTTPResponse(
        body,
        content_type=JSON,
        headers=id_headers({"cache-control": request.app.ctx.catalogue_cache_control}),
    )


@bp.get("/<code:str>")
@doc("The guide (办事指南) of a published item", "catalogue")
@returns(ItemGuide)
async def item_detail(request: AppRequest, code: str) -> HTTPResponse:
    body, etag = await service.item_detail_json(code, request.app.ctx.catalogue)
    headers = id_headers({"etag": etag, "cache-control": request.app.ctx.catalogue_cache_control})
    if etag in request.headers.get("if-none-match", ""):
        return HTTPResponse(status=304, headers=headers)
    return HTTPResponse(body, content_type=JSON, headers=headers)
