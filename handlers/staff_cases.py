"""Staff case endpoints: the department queue and every step of handling a case. Staff see and
act on their own department's cases only; any other case answers 404."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sanic import Blueprint, HTTPResponse

from app.cases import queries, signoff, staff_actions, supplement
from app.cases.handling_schemas import DecisionIn, RequiredDecisionIn
from app.cases.schemas import (
    CaseDetailOut,
    CaseListOut,
    NoticeOut,
    QueueQuery,
    ReasonIn,
    RequiredReasonIn,
    ResultIn,
    SpecialStageIn,
    SupplementIn,
    TimelineOut,
    TimelineQuery,
)
from app.cases.transitions import Actor
from app.cases.workbench import roles_for
from app.context import AppRequest
from app.handler_kit import body, doc, ok, query, returns
from app.security.auth import staff_required
from models.cases import Case
from models.core import StaffAccount
from models.handling import SignoffStep

if TYPE_CHECKING:
    from models.cases import SupplementNotice

bp = Blueprint("staff_cases", url_prefix="/api/v1/staff/cases")
TAG = "staff-cases"


async def _case(request: AppRequest, case_id: int) -> Case:
    return await queries.case_for_staff(case_id, request.ctx.staff)


async def _actor(request: AppRequest) -> Actor:
    staff = request.ctx.staff
    account = await StaffAccount.get_or_none(id=staff.id).only("id", "display_name")
    return staff_actions.staff_actor(staff.id, account.display_name if account else None)


async def _answer(case: Case) -> HTTPResponse:
    return ok(await queries.detail(case, staff=True))


@bp.get("")
@doc("My department's case queue, filtered by status and clock colour", TAG)
@staff_required(*roles_for("read"))
@query(QueueQuery)
@returns(CaseListOut)
async def queue(request: AppRequest) -> HTTPResponse:
    q: QueueQuery = request.ctx.query
    statuses = [s.strip() for s in q.status.split(",") if s.strip()] if q.status else None
    rows = await queries.department_queue(
        request.ctx.staff.department_id, statuses=statuses, colour=q.colour, limit=q.limit,
        offset=q.offset,
    )
    return ok({"items": [queries.summary(c, v) for c, v in rows]})


@bp.get("/<case_id:int>")
@doc("Read a case of my department (clock, timeline with actors, materials, notices)", TAG)
@staff_required(*roles_for("read"))
@returns(CaseDetailOut)
async def read_case(request: AppRequest, case_id: int) -> HTTPResponse:
    return await _answer(await _case(request, case_id))


@bp.get("/<case_id:int>/timeline")
@doc("Older steps of a case's timeline (with actors), a page at a time (oldest first)", TAG)
@staff_required(*roles_for("read"))
@query(TimelineQuery)
@returns(TimelineOut)
async def read_timeline(request: AppRequest, case_id: int) -> HTTPResponse:
    q: TimelineQuery = request.ctx.query
    return ok(await queries.timeline_page(await _case(request, case_id),
                                          before_seq=q.before_seq, limit=q.limit, staff=True))


@bp.post("/<case_id:int>/accept")
@doc("受理: accept the application", TAG)
@staff_required(*roles_for("accept"))
@returns(CaseDetailOut)
async def accept(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    return await _answer(await staff_actions.accept(case, await _actor(request)))


@bp.post("/<case_id:int>/refuse")
@doc("不予受理: refuse at intake, with the reason", TAG)
@staff_required(*roles_for("refuse"))
@body(RequiredReasonIn)
@returns(CaseDetailOut)
async def refuse(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    await staff_actions.refuse(case, await _actor(request), request.ctx.body.reason)
    return await _answer(case)


@bp.post("/<case_id:int>/supplement")
@doc("一次性告知: ask for 补正, every defect per material in one notice", TAG)
@staff_required(*roles_for("supplement"))
@body(SupplementIn)
@returns(NoticeOut, status=201)
async def request_supplement(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    b: SupplementIn = request.ctx.body
    defects = [supplement.DefectIn(**d.model_dump()) for d in b.items]
    notice = await staff_actions.request_supplement(
        case, await _actor(request), request.ctx.staff.id, defects, note=b.note,
        deadline_workdays=b.deadline_workdays,
    )
    return ok(_notice(notice, case), status=201)


def _notice(notice: SupplementNotice, case: Case) -> dict[str, Any]:
    return {"id": notice.id, "round": notice.round, "stage": notice.stage,
            "status": notice.status, "supervision_flag": notice.supervision_flag,
            "case": queries.summary(case)}


@bp.post("/<case_id:int>/supplements/<notice_id:int>/sign-off")
@doc("Sign off a second 补正 notice in the same stage (reviewer, not its author)", TAG)
@staff_required(*roles_for("supplement_sign_off"))
@returns(CaseDetailOut)
async def sign_off(request: AppRequest, case_id: int, notice_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    await staff_actions.sign_off_supplement(case, notice_id, await _actor(request),
                                       request.ctx.staff.id)
    return await _answer(case)


@bp.post("/<case_id:int>/review")
@doc("Start the review (审查) of an accepted case", TAG)
@staff_required(*roles_for("start_review"))
@returns(CaseDetailOut)
async def start_review(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    await staff_actions.move(
        case, staff_actions.S.under_review, await _actor(request), reason="开始审查"
    )
    return await _answer(case)


@bp.post("/<case_id:int>/special-stage/start")
@doc("Enter a special stage (特别程序) of the item", TAG)
@staff_required(*roles_for("special_start"))
@body(SpecialStageIn)
@returns(CaseDetailOut)
async def special_start(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    b: SpecialStageIn = request.ctx.body
    await staff_actions.start_special_stage(case, await _actor(request), b.name, b.reason)
    return await _answer(case)


@bp.post("/<case_id:int>/special-stage/end")
@doc("Leave the special stage, back to review", TAG)
@staff_required(*roles_for("special_end"))
@body(ReasonIn, optional=True)
@returns(CaseDetailOut)
async def special_end(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    await staff_actions.end_special_stage(case, await _actor(request), request.ctx.body.reason)
    return await _answer(case)


@bp.post("/<case_id:int>/approve")
@doc("Approve (准予); with a sign-off chain, signs its next step (the last one decides)", TAG)
@staff_required(*roles_for("approve"))
@body(DecisionIn, optional=True)
@returns(CaseDetailOut)
async def approve(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    b: DecisionIn = request.ctx.body
    await signoff.decide(case, request.ctx.staff, await _actor(request), SignoffStep.approve,
                         b.reason, b.legal_basis)
    return await _answer(case)


@bp.post("/<case_id:int>/deny")
@doc("Deny (不予许可), with the reason; with a sign-off chain, signs its next step", TAG)
@staff_required(*roles_for("deny"))
@body(RequiredDecisionIn)
@returns(CaseDetailOut)
async def deny(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    b: RequiredDecisionIn = request.ctx.body
    await signoff.decide(case, request.ctx.staff, await _actor(request), SignoffStep.deny,
                         b.reason, b.legal_basis)
    return await _answer(case)


@bp.post("/<case_id:int>/issue-result")
@doc("Issue the result (出件)", TAG)
@staff_required(*roles_for("issue_result"))
@body(ResultIn, optional=True)
@returns(CaseDetailOut)
async def issue_result(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    await staff_actions.issue_result(case, await _actor(request), request.ctx.body.note)
    return await _answer(case)


@bp.post("/<case_id:int>/complete")
@doc("Complete (办结) the case", TAG)
@staff_required(*roles_for("complete"))
@body(ReasonIn, optional=True)
@returns(CaseDetailOut)
async def complete(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    await staff_actions.complete(case, await _actor(request), request.ctx.body.reason)
    return await _answer(case)
