"""电子监察: supervision figures per department and per item over a date range, day by day for
the chart, and as CSV or XLSX. Supervisors and admins see every department; reviewers and
approvers their own (another department answers 404)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from urllib.parse import quote

from pydantic import BaseModel, ConfigDict, Field
from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.handler_kit import STAFF_ERRORS, doc, fails, id_headers, ok, query, returns, returns_file
from app.security.auth import staff_required
from app.staff import Role
from app.supervision import export
from app.supervision import query as figures
from app.supervision.rollup import today

bp = Blueprint("staff_supervision", url_prefix="/api/v1/staff/supervision")
TAG = "staff supervision"
READERS = (Role.supervisor, Role.reviewer, Role.approver)
RANGE_ERRORS = (*STAFF_ERRORS, (404, "DEPARTMENT_NOT_FOUND"), (422, "VALIDATION_FAILED"))


class RangeQuery(BaseModel):
    start: date | None = Field(default=None, description="first day (Asia/Shanghai), "
                                                         "default: the 1st of this month")
    end: date | None = Field(default=None, description="last day, default: today")
    department_id: int | None = Field(default=None, ge=1)

    def span(self) -> tuple[date, date]:
        end = self.end or today()
        return self.start or end.replace(day=1), end


class FiguresQuery(RangeQuery):
    by: Literal["department", "item"] = "department"


class ExportQuery(FiguresQuery):
    format: Literal["csv", "xlsx"] = "xlsx"


class FigureRow(BaseModel):
    model_config = ConfigDict(extra="allow")
    department_id: int
    department_code: str | None
    department_name: str | None
    item_id: int | None = None
    item_code: str | None = None
    item_name: str | None = None
    received: int
    accepted: int
    refused: int
    completed: int
    decided: int
    decided_late: int
    on_time_rate: float | None
    overdue_now: int
    overdue_ever: int
    avg_days_used: float | None
    avg_days_promised: float | None
    supplement_rate: float | None
    second_supplements: int
    online_share: float | None
    fees_collected_fen: int
    fees_refunded_fen: int
    ratings: int
    satisfaction_rate: float | None
    complaints: int


class FiguresOut(BaseModel):
    start: str
    end: str
    by: str
    department_id: int | None
    generated_at: str | None
    final_days: int = Field(description="days read from the daily rollup")
    live_days: int = Field(description="days not rolled up yet, worked out from their events")
    rows: list[FigureRow]
    totals: dict[str, Any]


class DayOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    day: str
    received: int
    accepted: int
    completed: int
    decided_on_time: int
    decided_late: int


class SeriesOut(BaseModel):
    start: str
    end: str
    department_id: int | None
    days: list[DayOut]


@bp.get("/figures")
@doc("Supervision figures per department or item over a date range", TAG,
     "Received, accepted, refused at intake, completed, on-time rate, overdue now and ever, "
     "average working days used against the promised limit, 补正 rate and second-补正 flags, "
     "online-depth share, fees collected and refunded, ratings and complaints. Each day is "
     "read from the daily rollup once final, and worked out from its events until then.")
@staff_required(*READERS)
@query(FiguresQuery)
@returns(FiguresOut)
@fails(*RANGE_ERRORS)
async def get_figures(request: AppRequest) -> HTTPResponse:
    q: FiguresQuery = request.ctx.query
    start, end = q.span()
    return ok(await figures.figures(request.ctx.staff, start=start, end=end, by=q.by,
                                    department_id=q.department_id))


@bp.get("/daily")
@doc("The figures' counters day by day over a range (the dashboard's chart)", TAG)
@staff_required(*READERS)
@query(RangeQuery)
@returns(SeriesOut)
@fails(*RANGE_ERRORS)
async def get_series(request: AppRequest) -> HTTPResponse:
    q: RangeQuery = request.ctx.query
    start, end = q.span()
    return ok(await figures.series(request.ctx.staff, start=start, end=end,
                                   department_id=q.department_id))


@bp.get("/export")
@doc("The same figures as a CSV or XLSX file", TAG)
@staff_required(*READERS)
@query(ExportQuery)
@returns_file(export.MEDIA["csv"], export.MEDIA["xlsx"], description="the figures' table")
@fails(*RANGE_ERRORS)
async def export_figures(request: AppRequest) -> HTTPResponse:
    q: ExportQuery = request.ctx.query
    start, end = q.span()
    result = await figures.figures(request.ctx.staff, start=start, end=end, by=q.by,
                                   department_id=q.department_id)
    name = export.filename(result, q.format)
    headers = id_headers({
        "content-disposition": f"attachment; filename=\"supervision.{q.format}\"; "
                               f"filename*=UTF-8''{quote(name)}",
        "cache-control": "no-store, private"})
    return HTTPResponse(export.render(result, q.format), headers=headers,
                        content_type=export.MEDIA[q.format])
