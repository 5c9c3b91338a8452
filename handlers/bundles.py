"""一件事 endpoints: find bundles and read their merged guide (public), file one application,
give its materials once, submit it, pay it once, follow it. Another person's application
answers 404."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse
from sanic_ext import openapi

from app.cases import materials
from app.cases.schemas import MaterialOut
from app.context import AppRequest
from app.errors import NotFound, ValidationFailed
from app.handler_kit import body, doc, fails, ok, query, returns
from app.payments import orders
from app.payments.schemas import CreateOrderOut
from app.reforms import bundle_apply, bundle_views, bundles
from app.reforms.bundle_schemas import (
    ApplicationList,
    ApplicationOut,
    ApplyIn,
    BundleList,
    BundlePayIn,
    MergedGuide,
    SearchQuery,
)
from app.security.auth import citizen_required
from models.bundles import BundleApplication

bp = Blueprint("bundles", url_prefix="/api/v1")
TAG = "bundles"


@bp.get("/bundles")
@doc("一件事: search the published bundles (name, 俗称, member items)", TAG)
@query(SearchQuery)
@returns(BundleList)
async def search(request: AppRequest) -> HTTPResponse:
    return ok({"items": await bundles.search(request.ctx.query.q)})


@bp.get("/bundles/<code:key64>")
@doc("One bundle's guide: members and their conditions, one form, one material list, fees",
     TAG)
@returns(MergedGuide)
@fails((404, "BUNDLE_NOT_FOUND"))
async def guide(request: AppRequest, code: str) -> HTTPResponse:
    return ok(bundles.guide(await bundles.load(code)))


@bp.post("/bundle-applications")
@doc("File one application: the members selected by the answers become draft cases of their "
     "departments (all or none)", TAG)
@citizen_required
@body(ApplyIn)
@returns(ApplicationOut, status=201)
@fails((404, "BUNDLE_NOT_FOUND"),
       (422, "BUNDLE_MEMBERS_CONFLICT / BUNDLE_MEMBER_NOT_APPLICABLE / BUNDLE_MEMBER_UNKNOWN"
             " / BUNDLE_ANSWER_INVALID / FORM_INVALID"), (403, "REALNAME_LEVEL_REQUIRED"))
async def apply(request: AppRequest) -> HTTPResponse:
    b: ApplyIn = request.ctx.body
    application = await bundle_apply.apply(
        request.ctx.person_id, bundle_code=b.bundle_code, answers=b.answers,
        selected=b.selected, form=b.form, delivery=b.delivery,
        channel=b.channel or request.ctx.token_claims.get("channel") or "app")
    return ok(await bundle_views.view(application), status=201)


@bp.get("/bundle-applications")
@doc("My 一件事 applications, newest first", TAG)
@citizen_required
@returns(ApplicationList)
async def list_mine(request: AppRequest) -> HTTPResponse:
    rows = await BundleApplication.filter(person_id=request.ctx.person_id).order_by(
        "-id").limit(50)
    return ok({"items": [await bundle_views.view(a) for a in rows]})


@bp.get("/bundle-applications/<application_id:int>")
@doc("One application: derived status, each department's case, one combined 补正 notice", TAG)
@citizen_required
@returns(ApplicationOut)
@fails((404, "BUNDLE_APPLICATION_NOT_FOUND"))
async def read(request: AppRequest, application_id: int) -> HTTPResponse:
    return ok(await bundle_views.view(await bundle_apply.mine(application_id,
                                                              request.ctx.person_id)))


@bp.post("/bundle-applications/<application_id:int>/materials")
@doc("Give one material of the merged list (multipart: key, file); it serves every member "
     "that needs it", TAG)
@openapi.body(
    {"multipart/form-data": {"type": "object", "properties": {
        "key": {"type": "string"}, "file": {"type": "string", "format": "binary"}}}},
    required=True,
)
@citizen_required
@returns(MaterialOut, status=201)
@fails((422, "MATERIAL_UNKNOWN / UPLOAD_TYPE"), (409, "CASE_NOT_EDITABLE"))
async def upload(request: AppRequest, application_id: int) -> HTTPResponse:
    application = await bundle_apply.mine(application_id, request.ctx.person_id)
    file = request.files.get("file") if request.files else None
    key = request.form.get("key") if request.form else None
    if file is None or not key:
        raise ValidationFailed(fields={"file": "必填", "key": "必填"})
    made = await bundle_apply.attach(application, key=key, filename=file.name or "",
                                     content=file.body)
    return ok(materials.view(made[0]), status=201)


@bp.post("/bundle-applications/<application_id:int>/submit")
@doc("Submit every member case at once (any member's problem refuses all, listed together)",
     TAG)
@citizen_required
@returns(ApplicationOut)
@fails((422, "BUNDLE_INCOMPLETE"), (409, "ILLEGAL_TRANSITION"))
async def submit(request: AppRequest, application_id: int) -> HTTPResponse:
    application = await bundle_apply.mine(application_id, request.ctx.person_id)
    await bundle_apply.submit(application, request.ctx.person_id)
    return ok(await bundle_views.view(application))


@bp.post("/bundle-applications/<application_id:int>/pay")
@doc("One payment of every member's fees due: one order, a fee line per fee and 执收单位", TAG)
@citizen_required
@body(BundlePayIn)
@returns(CreateOrderOut, status=201)
@fails((409, "NO_FEE_DUE / ALREADY_PAID"), (503, "UPSTREAM_UNAVAILABLE"))
async def pay(request: AppRequest, application_id: int) -> HTTPResponse:
    application = await bundle_apply.mine(application_id, request.ctx.person_id)
    payer = bundle_apply.payer(await bundle_apply.member_cases(application))
    if payer is None:
        raise NotFound("该申请当前无需缴费", code="NO_FEE_DUE", status=409)
    b: BundlePayIn = request.ctx.body
    answer = await orders.create_order(
        edges=request.app.ctx.edges, settings=request.app.ctx.settings,
        person_id=request.ctx.person_id, case_id=payer.id, channel=b.channel, scene=b.scene,
        payer_id=b.payer_id, client_ip=request.remote_addr or request.ip)
    return ok(answer, status=201)
