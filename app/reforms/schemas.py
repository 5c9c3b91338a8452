"""Request and response shapes of the 告知承诺 / 容缺 endpoints, for validation and OpenAPI."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class PledgeIn(BaseModel):
    material_code: str = Field(min_length=1, max_length=64)
    text_version: int = Field(ge=1, description="the version of the pledge text the applicant read")


class PledgeOut(BaseModel):
    id: int
    case_id: int
    material_code: str
    material_name: str
    text: str
    text_version: int
    signed_at: str | None
    status: Literal["signed", "checking", "confirmed", "false"]
    check_due: str | None
    checked_at: str | None
    consequence: str | None = Field(None, description="denied | result_revoked")


class StaffPledgeOut(PledgeOut):
    department_id: int
    finding: str | None
    checked_by: int | None
    overdue: bool


class ToleratedOut(BaseModel):
    id: int
    material_code: str
    material_name: str
    hold: Literal["result", "delivery"]
    due_at: str | None
    status: Literal["outstanding", "supplied"]
    supplied_at: str | None
    material_id: int | None
    overdue: bool


class CaseReformsOut(BaseModel):
    pledges: list[PledgeOut]
    tolerated: list[ToleratedOut]


class StaffCaseReformsOut(BaseModel):
    pledges: list[StaffPledgeOut]
    tolerated: list[ToleratedOut]


class PostCheckQuery(BaseModel):
    status: Literal["checking", "confirmed", "false"] | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class PostCheckList(BaseModel):
    items: list[StaffPledgeOut]


class PostCheckDecisionIn(BaseModel):
    outcome: Literal["confirmed", "false"]
    finding: str = Field(min_length=2, max_length=2000)


class PostCheckDecisionOut(BaseModel):
    pledge: StaffPledgeOut
    certificates_revoked: list[int]


class CreditQuery(BaseModel):
    person_id: int | None = None
    company_id: int | None = None
    limit: int = Field(50, ge=1, le=200)


class CreditRecordOut(BaseModel):
    id: int
    person_id: int
    company_id: int | None
    kind: str
    case_id: int
    case_no: str
    item_name: str
    department_id: int
    note: str
    recorded_at: str | None


class CreditList(BaseModel):
    items: list[CreditRecordOut]
