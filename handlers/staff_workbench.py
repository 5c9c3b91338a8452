"""Staff workbench endpoints: the queue with its counts, a case's handling (承办人, sign-off
chain, the actions open to me), claiming and assigning, signing, and the colleagues a case can
be given to. Another department's case answers 404, as if it did not exist."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse

from app.cases import assignment, queries, signoff, staff_actions, workbench
from app.cases.handling_schemas import (
    AssignIn,
    ColleagueListOut,
    ColleagueQuery,
    CountsOut,
    CountsQuery,
    HandlingOut,
    QueueOut,
    ReassignIn,
    SignIn,
    WorkQueueQuery,
)
from app.context import AppRequest
from app.handler_kit import STAFF_ERRORS, body, doc, fails, ok, query, returns, row_id
from app.security.auth import staff_required
from models.cases import Case

bp = Blueprint("staff_workbench", url_prefix="/api/v1/staff/workbench")
TAG = "staff workbench"
roles = workbench.roles_for
NOT_FOUND = (404, "CASE_NOT_FOUND")


async def _case(request: AppRequest, case_id: int) -> Case:
    return await queries.case_for_staff(row_id(case_id, "办件不存在", "CASE_NOT_FOUND"),
                                        request.ctx.staff)


async def _handling(request: AppRequest, case: Case) -> HTTPResponse:
    return ok(await workbench.handling(case, request.ctx.staff))


@bp.get("/queue")
@doc("The case queue: my department's cases (admins: all), filtered, a page at a time", TAG)
@staff_required(*roles("read"))
@query(WorkQueueQuery)
@returns(QueueOut)
@fails(*STAFF_ERRORS, (422, "VALIDATION_FAILED"))
async def work_queue(request: AppRequest) -> HTTPResponse:
    q: WorkQueueQuery = request.ctx.query
    items, total = await workbench.queue(
        request.ctx.staff, department_id=q.department_id, statuses=q.statuses(),
        colour=q.colour, mine=q.mine, unassigned=q.unassigned, number=q.number, limit=q.limit,
        offset=q.offset,
    )
    return ok({"items": items, "total": total})


@bp.get("/counts")
@doc("The queue's counts: per status, mine, unassigned, per clock colour", TAG)
@staff_required(*roles("read"))
@query(CountsQuery)
@returns(CountsOut)
@fails(*STAFF_ERRORS, (422, "VALIDATION_FAILED"))
async def queue_counts(request: AppRequest) -> HTTPResponse:
    q: CountsQuery = request.ctx.query
    return ok(await workbench.counts(request.ctx.staff, department_id=q.department_id))


@bp.get("/colleagues")
@doc("Active staff of my department (admins: any): who a case or a chain step can name", TAG)
@staff_required(*roles("read"), *roles("assign"))
@query(ColleagueQuery)
@returns(ColleagueListOut)
@fails(*STAFF_ERRORS, (422, "VALIDATION_FAILED"))
async def colleagues(request: AppRequest) -> HTTPResponse:
    q: ColleagueQuery = request.ctx.query
    accounts = await assignment.colleagues(request.ctx.staff, department_id=q.department_id,
                                           role=q.role)
    return ok({"items": [
        {"id": a.id, "username": a.username, "display_name": a.display_name,
         "roles": list(a.roles), "department_id": a.department_id}
        for a in accounts]})


@bp.get("/cases/<case_id:int>")
@doc("A case's handling: its 承办人, its sign-off chain, the actions open to me now", TAG)
@staff_required(*roles("read"))
@returns(HandlingOut)
@fails(*STAFF_ERRORS, NOT_FOUND)
async def handling(request: AppRequest, case_id: int) -> HTTPResponse:
    return await _handling(request, await _case(request, case_id))


@bp.post("/cases/<case_id:int>/claim")
@doc("领办: I become the handler of an unassigned case of my department", TAG)
@staff_required(*roles("claim"))
@returns(HandlingOut)
@fails(*STAFF_ERRORS, NOT_FOUND, (403, "NOT_CASE_DEPARTMENT"), (409, "CASE_ALREADY_ASSIGNED"),
        (409, "CASE_CLOSED"))
async def claim(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    staff = request.ctx.staff
    await assignment.claim(case, staff, await staff_actions.actor_for(staff))
    return await _handling(request, case)


@bp.post("/cases/<case_id:int>/assign")
@doc("Name the handler of an unassigned case (a colleague of its department)", TAG)
@staff_required(*roles("assign"))
@body(AssignIn)
@returns(HandlingOut)
@fails(*STAFF_ERRORS, NOT_FOUND, (404, "STAFF_NOT_FOUND"), (409, "CASE_ALREADY_ASSIGNED"),
        (409, "CASE_CLOSED"), (422, "STAFF_CANNOT_HANDLE"))
async def assign(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    staff = request.ctx.staff
    await assignment.assign(case, staff, await staff_actions.actor_for(staff),
                            request.ctx.body.staff_id)
    return await _handling(request, case)


@bp.post("/cases/<case_id:int>/reassign")
@doc("改派: give a case to another handler, saying why", TAG)
@staff_required(*roles("reassign"))
@body(ReassignIn)
@returns(HandlingOut)
@fails(*STAFF_ERRORS, NOT_FOUND, (404, "STAFF_NOT_FOUND"), (409, "CASE_UNASSIGNED"),
        (409, "ALREADY_HANDLER"), (409, "CASE_CLOSED"), (422, "REASON_REQUIRED"))
async def reassign(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    staff, b = request.ctx.staff, request.ctx.body
    await assignment.reassign(case, staff, await staff_actions.actor_for(staff), b.staff_id,
                              b.reason)
    return await _handling(request, case)


@bp.post("/cases/<case_id:int>/sign")
@doc("签批: sign the next step of the case's sign-off chain (the last one decides)", TAG,
     "The first step proposes approve or deny with the reasons and legal basis; each later "
     "step concurs or returns the case to the first step. Steps are signed in order, by "
     "different people holding each step's role (or the named person, or the handler).")
@staff_required(*roles("sign"))
@body(SignIn)
@returns(HandlingOut)
@fails(*STAFF_ERRORS, NOT_FOUND, (403, "SIGNOFF_ROLE"), (403, "SIGNOFF_NOT_NAMED"),
        (403, "SIGNOFF_NOT_HANDLER"), (403, "SIGNOFF_SAME_PERSON"),
        (403, "NOT_CASE_DEPARTMENT"), (409, "SIGNOFF_NOT_OPEN"), (409, "NO_SIGNOFF_CHAIN"),
        (409, "SIGNOFF_DISAGREES"), (409, "CASE_UNASSIGNED"), (422, "REASON_REQUIRED"),
        (422, "SIGNOFF_DECISION_INVALID"))
async def sign(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    staff, b = request.ctx.staff, request.ctx.body
    await signoff.sign(case, staff, await staff_actions.actor_for(staff), b.decision,
                       b.opinion, b.legal_basis)
    return await _handling(request, case)
