"""An item's sign-off chain (签批流程): read it (staff of the item's department), set it (its
admins). An item of another department answers 404."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse

from app.cases import signoff_chains
from app.cases.handling_schemas import ChainDefinitionOut
from app.context import AppRequest
from app.handler_kit import STAFF_ERRORS, body, doc, fails, ok, returns
from app.security.auth import staff_required
from app.staff import Role

bp = Blueprint("staff_signoff_chains", url_prefix="/api/v1/staff/items")
TAG = "staff catalogue"


@bp.get("/<code:str>/signoff-chain")
@doc("An item's sign-off chain (empty: one reviewer decides)", TAG)
@staff_required(Role.clerk, Role.reviewer, Role.approver)
@returns(ChainDefinitionOut)
@fails(*STAFF_ERRORS, (404, "ITEM_NOT_FOUND"))
async def get_chain(request: AppRequest, code: str) -> HTTPResponse:
    item = await signoff_chains.item_for_staff(code, request.ctx.staff)
    return ok({"item_code": item.code, "steps": await signoff_chains.steps_of_item(item.id)})


@bp.put("/<code:str>/signoff-chain")
@doc("Set an item's sign-off chain, e.g. 承办 → 审核 → 批准 (audited)", TAG,
     "Each step names a role (clerk, reviewer, approver) and optionally one person of the "
     "item's department (staff_id) or the case's handler (handler: true). Cases already "
     "being signed keep the chain they started with.")
@staff_required(Role.admin)
@body(signoff_chains.ChainIn)
@returns(ChainDefinitionOut)
@fails(*STAFF_ERRORS, (404, "ITEM_NOT_FOUND"), (422, "SIGNER_INVALID"),
        (422, "VALIDATION_FAILED"))
async def put_chain(request: AppRequest, code: str) -> HTTPResponse:
    steps = await signoff_chains.set_chain(code, request.ctx.body, request.ctx.staff)
    return ok({"item_code": code, "steps": steps})
