"""Staff endpoints of 告知承诺 and 容缺: the department's post-check queue (事后核查) and its
findings, a case's pledges and 容缺 materials, and the credit records (信用记录) a false pledge
leaves, which every department's staff may read."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse

from app.cases import queries, staff_actions
from app.cases.workbench import roles_for
from app.context import AppRequest
from app.handler_kit import body, doc, fails, ok, query, returns
from app.reforms import pledges, tolerance
from app.reforms.schemas import (
    CreditList,
    CreditQuery,
    PostCheckDecisionIn,
    PostCheckDecisionOut,
    PostCheckList,
    PostCheckQuery,
    StaffCaseReformsOut,
)
from app.security.auth import staff_required
from models.reforms import Pledge

bp = Blueprint("staff_reforms", url_prefix="/api/v1/staff")
TAG = "staff-reforms"


@bp.get("/post-checks")
@doc("事后核查: my department's pledges to check, the soonest due first", TAG)
@staff_required(*roles_for("read"))
@query(PostCheckQuery)
@returns(PostCheckList)
async def post_checks(request: AppRequest) -> HTTPResponse:
    q: PostCheckQuery = request.ctx.query
    rows = await pledges.queue(request.ctx.staff, status=q.status, limit=q.limit,
                               offset=q.offset)
    return ok({"items": [pledges.view(p, staff=True) for p in rows]})


@bp.post("/post-checks/<pledge_id:int>/decision")
@doc("Record a post-check's finding; a false pledge denies the case or revokes its result "
     "(and its certificates) and writes a credit record", TAG)
@staff_required(*roles_for("deny"))
@body(PostCheckDecisionIn)
@returns(PostCheckDecisionOut)
@fails((404, "POST_CHECK_NOT_FOUND"), (409, "POST_CHECK_DONE / CASE_BUSY"))
async def decide(request: AppRequest, pledge_id: int) -> HTTPResponse:
    staff = request.ctx.staff
    b: PostCheckDecisionIn = request.ctx.body
    pledge = await pledges.for_staff(pledge_id, staff)
    actor = await staff_actions.actor_for(staff)
    pledge, to_revoke = await pledges.conclude(
        pledge, staff, actor, truthful=b.outcome == "confirmed", finding=b.finding,
        kv=request.app.ctx.kv)
    return ok({"pledge": pledges.view(pledge, staff=True), "certificates_revoked": to_revoke})


@bp.get("/cases/<case_id:int>/reforms")
@doc("A case's pledges with their post-checks and its 容缺 materials", TAG)
@staff_required(*roles_for("read"))
@returns(StaffCaseReformsOut)
async def case_reforms(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await queries.case_for_staff(case_id, request.ctx.staff)
    return ok({"pledges": [pledges.view(p, staff=True)
                           for p in await Pledge.filter(case_id=case.id)],
               "tolerated": [tolerance.view(t) for t in await tolerance.of_case(case.id)]})


@bp.get("/credit-records")
@doc("信用记录 left by false pledges, newest first (every department's staff may read)", TAG)
@staff_required(*roles_for("read"))
@query(CreditQuery)
@returns(CreditList)
async def credit_records(request: AppRequest) -> HTTPResponse:
    q: CreditQuery = request.ctx.query
    return ok({"items": await pledges.credit_records(person_id=q.person_id,
                                                     company_id=q.company_id, limit=q.limit)})
