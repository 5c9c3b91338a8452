"""Citizen endpoints of 告知承诺 and 容缺: sign a pledge for a material of a draft, supply a
容缺 material after 受理, read both for a case. Another person's case answers 404."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse
from sanic_ext import openapi

from app.cases import materials, queries
from app.cases.schemas import MaterialOut
from app.context import AppRequest
from app.errors import ValidationFailed
from app.handler_kit import body, doc, fails, ok, returns
from app.reforms import pledges, tolerance
from app.reforms.schemas import CaseReformsOut, PledgeIn, PledgeOut
from app.security.auth import citizen_required
from models.reforms import Pledge

bp = Blueprint("reforms", url_prefix="/api/v1/cases")
TAG = "cases"


@bp.post("/<case_id:int>/pledges")
@doc("告知承诺: sign the item's pledge instead of giving a material (draft only)", TAG)
@citizen_required
@body(PledgeIn)
@returns(PledgeOut, status=201)
@fails((422, "PLEDGE_NOT_ALLOWED / MATERIAL_UNKNOWN"),
       (409, "PLEDGE_TEXT_CHANGED / PLEDGE_ALREADY_SIGNED / CASE_NOT_EDITABLE"),
       (403, "REALNAME_LEVEL_REQUIRED"))
async def sign_pledge(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await queries.case_for_person(case_id, request.ctx.person_id)
    b: PledgeIn = request.ctx.body
    pledge = await pledges.sign(case, request.ctx.person_id, material_code=b.material_code,
                                text_version=b.text_version)
    return ok(pledges.view(pledge), status=201)


@bp.get("/<case_id:int>/reforms")
@doc("The case's pledges (with their post-check state) and 容缺 materials with deadlines", TAG)
@citizen_required
@returns(CaseReformsOut)
async def read_reforms(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await queries.case_for_person(case_id, request.ctx.person_id)
    return ok({"pledges": [pledges.view(p) for p in await Pledge.filter(case_id=case.id)],
               "tolerated": [tolerance.view(t) for t in await tolerance.of_case(case.id)]})


@bp.post("/<case_id:int>/tolerated/<code:key64>")
@doc("容缺: supply a material the case was accepted without (multipart: file)", TAG)
@openapi.body(
    {"multipart/form-data": {"type": "object", "properties": {
        "file": {"type": "string", "format": "binary"}}}},
    required=True,
)
@citizen_required
@returns(MaterialOut, status=201)
@fails((404, "TOLERANCE_NOT_OUTSTANDING"), (409, "CASE_NOT_EDITABLE"))
async def supply_tolerated(request: AppRequest, case_id: int, code: str) -> HTTPResponse:
    case = await queries.case_for_person(case_id, request.ctx.person_id)
    upload = request.files.get("file") if request.files else None
    if upload is None:
        raise ValidationFailed(fields={"file": "必填"})
    material = await tolerance.supply(case, request.ctx.person_id, code=code,
                                      filename=upload.name or "", content=upload.body)
    return ok(materials.view(material), status=201)
