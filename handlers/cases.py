"""Citizen case endpoints: draft, form, materials, submit, withdraw, 补正 answers, resubmit,
list and read. A case of another person answers 404 like a case that does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sanic import Blueprint, HTTPResponse
from sanic_ext import openapi

from app.cases import citizen_actions, materials, queries, supplement
from app.cases.schemas import (
    AnswerIn,
    AnswerOut,
    CaseDetailOut,
    CaseListOut,
    CreateCaseIn,
    ElicenceIn,
    MaterialOut,
    MineQuery,
    ReasonIn,
    TimelineOut,
    TimelineQuery,
    UpdateCaseIn,
)
from app.context import AppRequest
from app.errors import NotFound, ValidationFailed
from app.handler_kit import body, doc, fails, ok, query, returns
from app.licences import use
from app.security.auth import citizen_required
from app.security.tokens import login_channel

if TYPE_CHECKING:
    from models.cases import Case

bp = Blueprint("cases", url_prefix="/api/v1/cases")
TAG = "cases"


async def _mine(request: AppRequest, case_id: int) -> Case:
    return await queries.case_for_person(case_id, request.ctx.person_id)


@bp.post("")
@doc("Create a draft case for a published item", TAG,
     "The case's channel is the one the citizen logged in through (the token's `channel` "
     "claim); an item not offered on that channel answers 409 CHANNEL_NOT_OFFERED.")
@citizen_required
@body(CreateCaseIn)
@returns(CaseDetailOut, status=201)
async def create_case(request: AppRequest) -> HTTPResponse:
    b: CreateCaseIn = request.ctx.body
    channel = await login_channel(request.ctx.token_claims)
    case = await citizen_actions.create_draft(
        request.ctx.person_id, item_id=b.item_id, item_code=b.item_code, channel=channel,
        delivery=b.delivery, company_id=b.company_id, form=b.form,
    )
    return ok(await queries.detail(case), status=201)


@bp.get("")
@doc("List my cases, newest first", TAG)
@citizen_required
@query(MineQuery)
@returns(CaseListOut)
async def list_mine(request: AppRequest) -> HTTPResponse:
    q: MineQuery = request.ctx.query
    cases, total = await queries.list_for_person(
        request.ctx.person_id, status=q.status, limit=q.limit, offset=q.offset
    )
    return ok({"items": [queries.summary(c) for c in cases], "total": total})


@bp.get("/<case_id:int>")
@doc("Read one of my cases: clock, timeline, materials, 补正 notices, public progress", TAG)
@citizen_required
@returns(CaseDetailOut)
async def read_case(request: AppRequest, case_id: int) -> HTTPResponse:
    return ok(await queries.detail_for_person(case_id, request.ctx.person_id))


@bp.get("/<case_id:int>/timeline")
@doc("Older steps of one of my cases' timeline, a page at a time (oldest first)", TAG)
@citizen_required
@query(TimelineQuery)
@returns(TimelineOut)
@fails((404, "CASE_NOT_FOUND"))
async def read_timeline(request: AppRequest, case_id: int) -> HTTPResponse:
    q: TimelineQuery = request.ctx.query
    case = await _mine(request, case_id)
    return ok(await queries.timeline_page(case, before_seq=q.before_seq, limit=q.limit,
                                          staff=False))


@bp.get("/number/<case_no:key32>")
@doc("Read one of my cases by its number (the link in chat answers and notifications)", TAG)
@citizen_required
@returns(CaseDetailOut)
async def read_case_by_number(request: AppRequest, case_no: str) -> HTTPResponse:
    case = await queries.find_case_for_person(case_no, request.ctx.person_id)
    if case is None:
        raise NotFound("办件不存在", code="CASE_NOT_FOUND")
    return ok(await queries.detail(case))


@bp.patch("/<case_id:int>")
@doc("Fill the form (validated against the item's form definition) of a draft", TAG)
@citizen_required
@body(UpdateCaseIn)
@returns(CaseDetailOut)
async def update_case(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _mine(request, case_id)
    b = request.ctx.body
    await citizen_actions.update_draft(case, form=b.form, delivery=b.delivery)
    return ok(await queries.detail(case))


@bp.post("/<case_id:int>/materials")
@doc("Upload a material (multipart: file, code); PDF, JPG, PNG or OFD", TAG)
@openapi.body(
    {"multipart/form-data": {"type": "object", "properties": {
        "code": {"type": "string"}, "file": {"type": "string", "format": "binary"}}}},
    required=True,
)
@citizen_required
@returns(MaterialOut, status=201)
async def upload_material(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _mine(request, case_id)
    upload = request.files.get("file") if request.files else None
    code = request.form.get("code") if request.form else None
    if upload is None or not code:
        raise ValidationFailed(fields={"file": "必填", "code": "必填"})
    version = await citizen_actions.version_of(case)
    material = await materials.attach_upload(
        case, version.materials, code=code, filename=upload.name or "", content=upload.body
    )
    return ok(materials.view(material), status=201)


@bp.post("/<case_id:int>/materials/elicence")
@doc("免提交: use a licence the applicant holds (from the licence library) for a material", TAG)
@citizen_required
@body(ElicenceIn)
@returns(MaterialOut, status=201)
@fails((422, "ELICENCE_NOT_ACCEPTED / LICENCE_NOT_HELD / LICENCE_NOT_APPLICANTS / "
             "LICENCE_NOT_VALID"), (503, "LICENCE_LIBRARY_UNAVAILABLE"))
async def attach_elicence(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _mine(request, case_id)
    b: ElicenceIn = request.ctx.body
    version = await citizen_actions.version_of(case)
    material = await use.use_licence(
        case, version.materials, code=b.code, library=request.app.ctx.edges.licence_library(),
        licence_id=b.licence_id, elicence_type=b.elicence_type,
        licence_no=b.licence_no,
    )
    return ok(materials.view(material), status=201)


@bp.post("/<case_id:int>/submit")
@doc("Submit a draft (form and required materials complete)", TAG)
@citizen_required
@returns(CaseDetailOut)
async def submit_case(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _mine(request, case_id)
    await citizen_actions.submit(case, request.ctx.person_id)
    return ok(await queries.detail(case))


@bp.post("/<case_id:int>/withdraw")
@doc("Withdraw before acceptance (受理)", TAG)
@citizen_required
@body(ReasonIn, optional=True)
@returns(CaseDetailOut)
async def withdraw_case(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _mine(request, case_id)
    await citizen_actions.withdraw(case, request.ctx.person_id, request.ctx.body.reason,
                           edges=request.app.ctx.edges)
    return ok(await queries.detail(case))


@bp.post("/<case_id:int>/supplements/<notice_id:int>/items/<item_id:int>")
@doc("Answer one item of the 补正 notice (text and/or an uploaded material id)", TAG)
@citizen_required
@body(AnswerIn)
@returns(AnswerOut)
async def answer_item(
    request: AppRequest, case_id: int, notice_id: int, item_id: int
) -> HTTPResponse:
    case = await _mine(request, case_id)
    b: AnswerIn = request.ctx.body
    item = await supplement.answer_item(
        case, notice_id, item_id, text=b.text, material_id=b.material_id
    )
    return ok({"id": item.id, "answered": True, "answer_text": item.answer_text,
               "answer_material_id": item.answer_material_id})


@bp.post("/<case_id:int>/resubmit")
@doc("Resubmit after answering every item of the 补正 notice", TAG)
@citizen_required
@returns(CaseDetailOut)
async def resubmit_case(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _mine(request, case_id)
    await citizen_actions.resubmit(case, request.ctx.person_id)
    return ok(await queries.detail(case))
