"""Staff catalogue API (role admin, own department): create, edit as a new version, publish,
unpublish; and read every version, published or not."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse

from app.catalogue import admin
from app.catalogue.schemas import Guide, ItemCreate, ItemGuide, PublishIn, StaffItem, StaffItemList
from app.context import AppRequest
from app.handler_kit import body, doc, ok, returns
from app.security.auth import staff_required

bp = Blueprint("staff_catalogue", url_prefix="/api/v1/staff/items")
TAG = "staff catalogue"


@bp.get("")
@doc("Items of my department, published or not", TAG)
@staff_required("admin")
@returns(StaffItemList)
async def list_items(request: AppRequest) -> HTTPResponse:
    return ok({"items": await admin.staff_items(request.ctx.staff)})


@bp.post("")
@doc("Create an item with its first guide version (unpublished)", TAG)
@staff_required("admin")
@body(ItemCreate)
@returns(StaffItem, status=201)
async def create_item(request: AppRequest) -> HTTPResponse:
    return ok(await admin.create_item(request.ctx.body, request.ctx.staff), status=201)


@bp.get("/<code:str>")
@doc("An item, its versions and its latest guide", TAG)
@staff_required("admin")
@returns(StaffItem)
async def get_item(request: AppRequest, code: str) -> HTTPResponse:
    return ok(await admin.staff_item(code, request.ctx.staff))


@bp.put("/<code:str>")
@doc("Edit: the guide becomes a new version; the published one stays until publish", TAG)
@staff_required("admin")
@body(Guide)
@returns(StaffItem)
async def edit_item(request: AppRequest, code: str) -> HTTPResponse:
    return ok(
        await admin.edit_item(code, request.ctx.body, request.ctx.staff, request.app.ctx.catalogue)
    )


@bp.get("/<code:str>/versions/<version:int>")
@doc("One version of an item's guide", TAG)
@staff_required("admin")
@returns(ItemGuide)
async def get_version(request: AppRequest, code: str, version: int) -> HTTPResponse:
    return ok(await admin.staff_version(code, version, request.ctx.staff))


@bp.post("/<code:str>/publish")
@doc("Publish a version (default: the latest)", TAG)
@staff_required("admin")
@body(PublishIn, optional=True)
@returns(StaffItem)
async def publish(request: AppRequest, code: str) -> HTTPResponse:
    return ok(
        await admin.publish_item(
            code, request.ctx.body.version, request.ctx.staff, request.app.ctx.catalogue
        )
    )


@bp.post("/<code:str>/unpublish")
@doc("Withdraw an item from the citizen catalogue; filed cases keep their version", TAG)
@staff_required("admin")
@returns(StaffItem)
async def unpublish(request: AppRequest, code: str) -> HTTPResponse:
    return ok(await admin.unpublish_item(code, request.ctx.staff, request.app.ctx.catalogue))
