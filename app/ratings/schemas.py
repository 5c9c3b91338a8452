"""Request and response shapes of the rating endpoints (citizen and staff), for validation and
OpenAPI."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from models.ratings import AppealState, Level, RectificationState


class RatingIn(BaseModel):
    level: Level = Field(description="5 非常满意 · 4 满意 · 3 基本满意 · 2 不满意 · 1 非常不满意")
    tags: list[str] = Field(default_factory=list, max_length=12,
                            description="tags the level offers (GET /api/v1/ratings/content)")
    comment: str | None = Field(default=None, max_length=500)
    channel: Literal["app", "h5", "wechat", "alipay"] | None = Field(
        default=None, description="where it was given; defaults to the login's channel")


class ContentTag(BaseModel):
    indicator: str
    tag: str


class ContentLevel(BaseModel):
    level: int
    name: str
    stars: int
    bad: bool
    tags: list[ContentTag]


class ContentOut(BaseModel):
    version: str
    first_indicator: str
    levels: list[ContentLevel]


class ContentQuery(BaseModel):
    channel: Literal["app", "h5", "wechat", "alipay", "hall", "hotline"] = "app"


class RectificationOut(BaseModel):
    id: int
    state: RectificationState
    due_date: str
    reply: str | None
    replied_at: str | None
    revisit_until: str | None
    outcome: str | None
    closed_at: str | None


class SubjectOut(BaseModel):
    kind: Literal["case", "ticket"]
    id: int
    number: str
    title: str | None


class RatingOut(BaseModel):
    id: int
    level: int
    level_name: str
    bad: bool
    tags: list[str]
    comment: str | None
    channel: str
    content_version: str
    revision: int
    created_at: str | None
    updated_at: str | None
    excluded: bool
    excluded_reason: str | None
    change_until: str | None
    can_change: bool
    can_rerate: bool
    rectification: RectificationOut | None
    subject: SubjectOut | None = None


class PageQuery(BaseModel):
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


class RatingListOut(BaseModel):
    items: list[RatingOut]
    total: int


# ------------------------------------------------------------------ staff


class StaffRatingQuery(PageQuery):
    bad: bool | None = Field(default=None, description="only 差评 (true) or only the others")
    excluded: bool | None = None


class StaffRectificationOut(RectificationOut):
    rating_id: int
    department_id: int
    measures: str | None
    opened_at: str | None
    limit_days: int
    replied_by: int | None
    clock: dict[str, Any] | None


class AppealOut(BaseModel):
    id: int
    rating_id: int
    department_id: int
    state: AppealState
    reason: str
    filed_by: int
    created_at: str | None
    decided_by: int | None
    decided_at: str | None
    decision_note: str | None
    evidence: list[dict[str, Any]] | None = None


class StaffRatingOut(BaseModel):
    id: int
    level: int
    level_name: str
    bad: bool
    tags: list[str]
    comment: str | None
    channel: str
    department_id: int
    revision: int
    excluded: bool
    created_at: str | None
    updated_at: str | None
    subject: SubjectOut
    rectification: StaffRectificationOut | None
    appeal: AppealOut | None
    trail: list[dict[str, Any]] | None = None


class StaffRatingListOut(BaseModel):
    items: list[StaffRatingOut]
    total: int


class RectificationQuery(PageQuery):
    state: RectificationState | None = None
    colour: Literal["green", "yellow", "red"] | None = None


class RectificationListOut(BaseModel):
    items: list[StaffRectificationOut]


class ReplyIn(BaseModel):
    measures: str = Field(min_length=2, max_length=2000, description="what was put right")
    reply: str = Field(min_length=2, max_length=2000, description="what the citizen is told")


class AppealIn(BaseModel):
    reason: str = Field(min_length=4, max_length=2000)


class DecisionIn(BaseModel):
    decision: Literal["upheld", "rejected"]
    note: str = Field(min_length=2, max_length=2000)


class AppealQuery(PageQuery):
    state: AppealState | None = AppealState.pending


class AppealListOut(BaseModel):
    items: list[AppealOut]


class DepartmentFiguresOut(BaseModel):
    department_id: int
    department_name: str
    levels: dict[str, int]
    counted: int
    excluded: int
    bad: int
    good_rate: float | None
    rectified_rate: float | None
    rectifications: dict[str, Any]
    appeals: dict[str, int]


class FiguresOut(BaseModel):
    departments: list[DepartmentFiguresOut]


class JobOut(BaseModel):
    id: int
    key: str
    edge: str
    edge_name: str
    kind: str
    state: str
    attempts: int
    last_error: str | None
    department_id: int | None
    created_at: str | None
    next_attempt_at: str | None
    done_at: str | None


class JobQuery(PageQuery):
    state: Literal["queued", "sending", "done", "dead"] | None = "dead"
    edge: Literal["haocp", "hotline"] | None = None


class JobListOut(BaseModel):
    items: list[JobOut]
