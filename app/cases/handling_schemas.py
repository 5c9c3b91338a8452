"""Request and response shapes of the staff workbench endpoints (queue, 承办人, sign-off,
materials and reveals), for validation and OpenAPI."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, field_validator

from app.cases.schemas import CaseSummaryOut, Colour
from models.cases import CaseStatus
from models.handling import SignoffStep


class WorkQueueQuery(BaseModel):
    status: str | None = Field(default=None, description="comma-separated statuses")
    colour: Colour | None = None
    mine: bool = Field(default=False, description="only cases I handle (承办)")
    unassigned: bool = Field(default=False, description="only cases nobody handles yet")
    number: str | None = Field(default=None, max_length=32, description="办件编号 prefix")
    department_id: int | None = Field(default=None, ge=1, description="admins: one department")
    limit: int = Field(default=20, ge=1, le=100)
    offset: int = Field(default=0, ge=0, le=1_000_000)

    @field_validator("status")
    @classmethod
    def _known(cls, value: str | None) -> str | None:
        unknown = [s for s in (value or "").split(",") if s.strip() and s.strip() not in
                   CaseStatus.__members__]
        if unknown:
            raise ValueError(f"unknown status: {', '.join(unknown)}")
        return value

    def statuses(self) -> list[str] | None:
        return [s.strip() for s in self.status.split(",") if s.strip()] if self.status else None


class HandlerRef(BaseModel):
    staff_id: int
    name: str


class QueueItemOut(CaseSummaryOut):
    department_id: int
    handler: HandlerRef | None


class QueueOut(BaseModel):
    items: list[QueueItemOut]
    total: int


class CountsQuery(BaseModel):
    department_id: int | None = Field(default=None, ge=1, description="admins: one department")


class CountsOut(BaseModel):
    by_status: dict[str, int]
    total: int
    mine: int
    unassigned: int
    colours: dict[str, int]


class HandlerOut(HandlerRef):
    assigned_at: str | None
    assigned_by: int


class ActionOut(BaseModel):
    action: str
    label: str


class SignatureOut(BaseModel):
    step: int
    name: str
    staff_id: int
    staff_name: str
    decision: str
    opinion: str
    legal_basis: str
    at: str | None


class ChainStepOut(BaseModel):
    step: int
    name: str
    role: str
    staff_id: int | None
    handler: bool | None
    signed: SignatureOut | None


class HistoryOut(SignatureOut):
    round: int


class ChainOut(BaseModel):
    round: int
    proposal: str | None
    next_step: int | None
    steps: list[ChainStepOut]
    history: list[HistoryOut]


class HandlingOut(BaseModel):
    case_id: int
    handler: HandlerOut | None
    chain: ChainOut | None
    actions: list[ActionOut]


class AssignIn(BaseModel):
    staff_id: int = Field(ge=1)


class ReassignIn(AssignIn):
    reason: str = Field(min_length=2, max_length=500)


class SignIn(BaseModel):
    decision: SignoffStep = Field(description="approve, deny (the first step proposes one; "
                                              "later steps concur) or return (退回)")
    opinion: str | None = Field(default=None, max_length=1000, description="签批意见")
    legal_basis: str = Field(default="", max_length=1000, description="法律依据 (first step)")


class DecisionIn(BaseModel):
    reason: str | None = Field(default=None, max_length=1000)
    legal_basis: str = Field(default="", max_length=1000)


class RequiredDecisionIn(DecisionIn):
    reason: str = Field(min_length=1, max_length=1000)


class ReasonQuery(BaseModel):
    reason: str = Field(min_length=4, max_length=200, description="why it is opened (audited)")


class RevealIn(BaseModel):
    field: str = Field(min_length=1, max_length=64)
    reason: str = Field(min_length=4, max_length=200)


class RevealOut(BaseModel):
    field: str
    value: str


class ReadOut(BaseModel):
    staff_id: int
    staff_name: str | None
    field: str
    reason: str
    case_id: int | None
    at: str


class ReadListOut(BaseModel):
    items: list[ReadOut]


class ColleagueOut(BaseModel):
    id: int
    username: str
    display_name: str
    roles: list[str]
    department_id: int


class ColleagueListOut(BaseModel):
    items: list[ColleagueOut]


class ColleagueQuery(BaseModel):
    department_id: int | None = Field(default=None, ge=1, description="admins: one department")
    role: str | None = Field(default=None, max_length=16)


class ChainStepIn(BaseModel):
    """Documented shape; validated by ``app.cases.signoff_chains.StepIn``."""

    name: str
    role: str
    staff_id: int | None = None
    handler: bool = False


class ChainDefinitionOut(BaseModel):
    item_code: str
    steps: list[dict[str, Any]]
