"""Request and response shapes of the case endpoints (citizen and staff), for validation and
OpenAPI."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from models.cases import CaseStatus

Colour = Literal["green", "yellow", "red"]


class CreateCaseIn(BaseModel):
    item_id: int | None = None
    item_code: str | None = Field(default=None, max_length=64)
    delivery: Literal["window", "express", "online"] | None = None
    company_id: int | None = None
    form: dict[str, Any] | None = None  # no channel: it is the token's (login_channel)

    @model_validator(mode="after")
    def _one_item(self) -> CreateCaseIn:
        if self.item_id is None and not self.item_code:
            raise ValueError("item_id or item_code is required")
        return self


class UpdateCaseIn(BaseModel):
    form: dict[str, Any] | None = None
    delivery: Literal["window", "express", "online"] | None = None


class ElicenceIn(BaseModel):
    """免提交: name the licence by its wallet id (``GET /api/v1/licences``), or by its type and
    number; either way the server fetches it from the licence library and checks it."""

    code: str = Field(min_length=1, max_length=64)
    licence_id: str | None = Field(None, min_length=1, max_length=80)
    elicence_type: str | None = Field(None, min_length=1, max_length=64)
    licence_no: str | None = Field(None, min_length=1, max_length=64)

    @model_validator(mode="after")
    def _named(self) -> ElicenceIn:
        if self.licence_id is None and not (self.elicence_type and self.licence_no):
            raise ValueError("licence_id, or elicence_type and licence_no")
        return self


class ReasonIn(BaseModel):
    reason: str | None = Field(default=None, max_length=1000)


class RequiredReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class AnswerIn(BaseModel):
    text: str | None = Field(default=None, max_length=2000)
    material_id: int | None = None


class DefectIn(BaseModel):
    material_code: str = Field(min_length=1, max_length=64, description="material code or form")
    problem: str = Field(min_length=1, max_length=1000)
    requirement: str = Field(min_length=1, max_length=1000)
    legal_clause: str = Field(default="", max_length=500)


class SupplementIn(BaseModel):
    items: list[DefectIn] = Field(min_length=1, max_length=50)
    note: str = Field(default="", max_length=1000)
    deadline_workdays: int | None = Field(default=None, ge=1, le=60)


class SpecialStageIn(BaseModel):
    name: str = Field(min_length=1, max_length=64)
    reason: str | None = Field(default=None, max_length=1000)


class ResultIn(BaseModel):
    note: str | None = Field(default=None, max_length=1000)


class MineQuery(BaseModel):
    status: CaseStatus | None = None
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0)


class TimelineQuery(BaseModel):
    before_seq: int | None = Field(default=None, ge=1,
                                   description="events older than this seq (default: newest)")
    limit: int = Field(default=20, ge=1, le=100)


class TimelineOut(BaseModel):
    items: list[dict[str, Any]]
    more: bool = Field(description="older events remain")


class QueueQuery(BaseModel):
    status: str | None = Field(default=None, description="comma-separated statuses")
    colour: Colour | None = None
    limit: int = Field(default=50, ge=1, le=200)
    offset: int = Field(default=0, ge=0)

    @field_validator("status")
    @classmethod
    def _known_statuses(cls, value: str | None) -> str | None:
        # an unknown status would reach the enum field and fail there with a 500
        unknown = [s for s in (value or "").split(",") if s.strip() and s.strip() not in
                   CaseStatus.__members__]
        if unknown:
            raise ValueError(f"unknown status: {', '.join(unknown)}")
        return value


class ClockSummary(BaseModel):
    colour: Colour
    days_used: int
    promised_due: str | None


class CaseSummaryOut(BaseModel):
    id: int
    number: str
    item_name: str
    status: str
    status_label: str
    public_progress: str
    channel: str
    supervision_flag: bool
    submitted_at: str | None
    created_at: str | None
    clock: ClockSummary | None = None


class CaseListOut(BaseModel):
    items: list[CaseSummaryOut]
    total: int | None = None


class CaseItemOut(BaseModel):
    """The item as filed: the form definition and materials list of that version, which the
    application page renders (a later version of the guide does not change a filed case)."""

    id: int
    code: str
    version_id: int
    version: int
    name: str
    form_schema: dict[str, Any]
    materials: list[dict[str, Any]]
    delivery_options: list[str]


class CaseDetailOut(CaseSummaryOut):
    item: CaseItemOut
    department_id: int
    company_id: int | None
    delivery: str
    form: dict[str, Any]
    fees: dict[str, Any]
    special_stage: str | None
    decision_reason: str | None
    result_note: str | None
    clock: dict[str, Any]  # type: ignore[assignment]
    materials: list[dict[str, Any]]
    supplements: list[dict[str, Any]]
    timeline: list[dict[str, Any]] = Field(
        description="the newest 20 events, oldest first; older ones through …/timeline")
    timeline_more: bool = Field(description="older events remain (…/timeline?before_seq=)")
    timeline_intact: bool = Field(
        description="the chain audit found the SM3 chain whole and it ends where the case is")


class MaterialOut(BaseModel):
    id: int
    code: str
    name: str
    kind: str
    filename: str | None
    content_type: str | None
    size: int
    sha256: str | None
    elicence_type: str | None
    licence_no: str | None
    source: str  # upload | licence_library (免提交)
    superseded: bool


class AnswerOut(BaseModel):
    id: int
    answered: bool
    answer_text: str | None
    answer_material_id: int | None


class NoticeOut(BaseModel):
    id: int
    round: int
    stage: str
    status: str
    supervision_flag: bool
    case: CaseSummaryOut
