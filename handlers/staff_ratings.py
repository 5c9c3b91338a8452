"""Staff 好差评 endpoints: the department's ratings and 整改 (answer a 差评), 申诉 (file with
evidence; a supervisor decides), supervision figures, and the outbound jobs (好差评 reports,
12345 replies) that failed. What a reader sees is decided by the one department-scope rule
(``StaffPrincipal.department_scope`` / ``sees_department``); anything else answers 404."""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse
from sanic_ext import openapi

from app import attachments, outbound
from app.context import AppRequest
from app.errors import Conflict, ValidationFailed
from app.handler_kit import INT8_MAX, body, doc, ok, query, returns, row_id
from app.ratings import appeals, figures, rectifications, views
from app.ratings.schemas import (
    AppealIn,
    AppealListOut,
    AppealOut,
    AppealQuery,
    DecisionIn,
    FiguresOut,
    JobListOut,
    JobOut,
    JobQuery,
    RectificationListOut,
    RectificationQuery,
    ReplyIn,
    StaffRatingListOut,
    StaffRatingOut,
    StaffRatingQuery,
    StaffRectificationOut,
)
from app.scoped import visible
from app.security.auth import staff_required
from models.jobs import PlatformJob
from models.ratings import Appeal, AppealState, Level, Rating
from models.tickets import AttachmentOwner

bp = Blueprint("staff_ratings", url_prefix="/api/v1/staff")
TAG = "staff-ratings"
DEPARTMENT = ("clerk", "reviewer", "supervisor")  # who reads a department's ratings
HANDLERS = ("clerk", "reviewer")  # who answers a 差评 and files a 申诉
SUPERVISOR = ("supervisor",)
JOBS = ("supervisor", "operator")
BAD = [Level.dissatisfied, Level.very_dissatisfied]


def _id(value: int, message: str, code: str) -> int:
    return row_id(value, message, code)


async def _rating(request: AppRequest, rating_id: int) -> Rating:
    return await visible(Rating, _id(rating_id, "评价不存在", "RATING_NOT_FOUND"),
                         request.ctx.staff.sees_department, "评价不存在", "RATING_NOT_FOUND")


@bp.get("/ratings")
@doc("My department's ratings, newest first (no rater identity)", TAG)
@staff_required(*DEPARTMENT)
@query(StaffRatingQuery)
@returns(StaffRatingListOut)
async def list_ratings(request: AppRequest) -> HTTPResponse:
    q: StaffRatingQuery = request.ctx.query
    scope = request.ctx.staff.department_scope
    qs = Rating.all() if scope is None else Rating.filter(department_id=scope)
    if q.bad is not None:
        qs = qs.filter(level__in=BAD) if q.bad else qs.exclude(level__in=BAD)
    if q.excluded is not None:
        qs = qs.filter(excluded=q.excluded)
    total = await qs.count()
    rows = await qs.order_by("-id").offset(q.offset).limit(q.limit)
    return ok({"items": [await views.for_staff(r) for r in rows], "total": total})


@bp.get("/ratings/<rating_id:int>")
@doc("A rating of my department with its 整改, 申诉 and trail", TAG)
@staff_required(*DEPARTMENT)
@returns(StaffRatingOut)
async def read_rating(request: AppRequest, rating_id: int) -> HTTPResponse:
    return ok(await views.for_staff(await _rating(request, rating_id), full=True))


@bp.post("/ratings/<rating_id:int>/appeal")
@doc("申诉: say a 差评 is unfair (evidence: POST …/appeals/<id>/evidence)", TAG)
@staff_required(*HANDLERS)
@body(AppealIn)
@returns(AppealOut, status=201)
async def file_appeal(request: AppRequest, rating_id: int) -> HTTPResponse:
    staff = request.ctx.staff
    appeal = await appeals.file(_id(rating_id, "评价不存在", "RATING_NOT_FOUND"),
                                sees=staff.sees_department, staff_id=staff.id,
                                reason=request.ctx.body.reason)
    return ok({**views.appeal(appeal), "evidence": []}, status=201)


@bp.get("/rectifications")
@doc("My department's 差评整改 (filter by state or clock colour)", TAG)
@staff_required(*DEPARTMENT)
@query(RectificationQuery)
@returns(RectificationListOut)
async def list_rectifications(request: AppRequest) -> HTTPResponse:
    q: RectificationQuery = request.ctx.query
    rows = await rectifications.listing(request.ctx.staff.department_scope, state=q.state,
                                        colour=q.colour, limit=q.limit, offset=q.offset)
    return ok({"items": [views.rectification(f, staff=True) for f in rows]})


@bp.post("/rectifications/<fix_id:int>/reply")
@doc("Answer a 差评: what was put right, and what the citizen is told (they may re-rate)", TAG)
@staff_required(*HANDLERS)
@body(ReplyIn)
@returns(StaffRectificationOut)
async def reply_rectification(request: AppRequest, fix_id: int) -> HTTPResponse:
    staff, b = request.ctx.staff, request.ctx.body
    fix = await rectifications.reply(
        _id(fix_id, "整改记录不存在", "RECTIFICATION_NOT_FOUND"), sees=staff.sees_department,
        staff_id=staff.id, measures=b.measures, text=b.reply)
    return ok(views.rectification(fix, staff=True))


async def _appeal(request: AppRequest, appeal_id: int) -> Appeal:
    return await appeals.for_staff(_id(appeal_id, "申诉不存在", "APPEAL_NOT_FOUND"),
                                   request.ctx.staff.sees_department)


async def _appeal_answer(appeal: Appeal) -> HTTPResponse:
    return ok({**views.appeal(appeal),
               "evidence": await attachments.of(AttachmentOwner.appeal, appeal.id)})


@bp.get("/appeals")
@doc("申诉 to decide (or decided), oldest first", TAG)
@staff_required(*SUPERVISOR)
@query(AppealQuery)
@returns(AppealListOut)
async def list_appeals(request: AppRequest) -> HTTPResponse:
    q: AppealQuery = request.ctx.query
    scope = request.ctx.staff.department_scope
    qs = Appeal.all() if scope is None else Appeal.filter(department_id=scope)
    if q.state is not None:
        qs = qs.filter(state=q.state)
    rows = await qs.order_by("id").offset(q.offset).limit(q.limit)
    return ok({"items": [views.appeal(a) for a in rows]})


@bp.get("/appeals/<appeal_id:int>")
@doc("One 申诉 with its evidence", TAG)
@staff_required(*HANDLERS, *SUPERVISOR)
@returns(AppealOut)
async def read_appeal(request: AppRequest, appeal_id: int) -> HTTPResponse:
    return await _appeal_answer(await _appeal(request, appeal_id))


@bp.post("/appeals/<appeal_id:int>/evidence")
@doc("Attach evidence to a pending 申诉 (multipart: file; PDF, JPG, PNG or OFD)", TAG)
@openapi.body({"multipart/form-data": {"type": "object", "properties": {
    "file": {"type": "string", "format": "binary"}}}}, required=True)
@staff_required(*HANDLERS)
@returns(AppealOut, status=201)
async def add_evidence(request: AppRequest, appeal_id: int) -> HTTPResponse:
    appeal = await _appeal(request, appeal_id)
    if appeal.state != AppealState.pending:
        raise Conflict("申诉已有结论，不能再补充证据", code="APPEAL_DECIDED")
    upload = request.files.get("file") if request.files else None
    if upload is None:
        raise ValidationFailed(fields={"file": "必填"})
    await attachments.attach(AttachmentOwner.appeal, appeal.id, filename=upload.name or "",
                             content=upload.body, uploaded_by=f"staff:{request.ctx.staff.id}")
    response = await _appeal_answer(appeal)
    response.status = 201
    return response


@bp.post("/appeals/<appeal_id:int>/decide")
@doc("Decide a 申诉 (a supervisor, not the one who filed it); upheld excludes the rating", TAG)
@staff_required(*SUPERVISOR)
@body(DecisionIn)
@returns(AppealOut)
async def decide_appeal(request: AppRequest, appeal_id: int) -> HTTPResponse:
    staff, b = request.ctx.staff, request.ctx.body
    appeal = await appeals.decide(_id(appeal_id, "申诉不存在", "APPEAL_NOT_FOUND"),
                                  sees=staff.sees_department, staff_id=staff.id,
                                  upheld=b.decision == "upheld", note=b.note)
    return await _appeal_answer(appeal)


@bp.get("/supervision/ratings")
@doc("好差评 figures per department: levels, 差评, 整改 and 申诉", TAG)
@staff_required(*SUPERVISOR)
@returns(FiguresOut)
async def supervision_figures(request: AppRequest) -> HTTPResponse:
    return ok({"departments": await figures.summary(request.ctx.staff.department_scope)})


@bp.get("/supervision/rectifications")
@doc("Overdue 差评整改 (red), oldest first", TAG)
@staff_required(*SUPERVISOR)
@query(RectificationQuery)
@returns(RectificationListOut)
async def supervision_rectifications(request: AppRequest) -> HTTPResponse:
    q: RectificationQuery = request.ctx.query
    rows = await rectifications.listing(request.ctx.staff.department_scope, state=None,
                                        colour=q.colour or "red", limit=q.limit,
                                        offset=q.offset)
    return ok({"items": [views.rectification(f, staff=True) for f in rows]})


@bp.get("/outbound-jobs")
@doc("Outbound jobs (好差评 reports, 12345 replies), by default those that failed", TAG)
@staff_required(*JOBS)
@query(JobQuery)
@returns(JobListOut)
async def list_jobs(request: AppRequest) -> HTTPResponse:
    q: JobQuery = request.ctx.query
    scope = request.ctx.staff.department_scope
    qs = PlatformJob.all() if scope is None else PlatformJob.filter(department_id=scope)
    if q.state:
        qs = qs.filter(state=q.state)
    if q.edge:
        qs = qs.filter(edge=q.edge)
    rows = await qs.order_by("-id").offset(q.offset).limit(q.limit)
    return ok({"items": [outbound.shape(j) for j in rows]})


@bp.post("/outbound-jobs/<job_id:bigid>/resend")
@doc("Send a failed job again (same idempotency key: the platform keeps one record)", TAG)
@staff_required(*JOBS)
@returns(JobOut)
async def resend_job(request: AppRequest, job_id: int) -> HTTPResponse:
    staff = request.ctx.staff
    job = await outbound.resend(
        row_id(job_id, "上报任务不存在", "JOB_NOT_FOUND", maximum=INT8_MAX),
        sees=staff.sees_department, staff_id=staff.id)
    return ok(outbound.shape(job))
