"""The shapes of a 一件事 bundle: what the data file and staff give (``BundleCreate``), what a
version's JSON columns hold, what citizens read (the merged guide) and send (one application)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.catalogue.schemas import CODE_PATTERN

NAME = r"^[a-z][a-z0-9_]{0,63}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)


class Condition(_Strict):
    """The member applies when the bundle question ``field`` was answered with one of ``in``."""

    field: str = Field(pattern=NAME)
    values: list[str] = Field(alias="in", min_length=1)


class Member(_Strict):
    item_code: str = Field(pattern=CODE_PATTERN)
    required: bool = True  # optional members are chosen by the applicant, if they apply
    when: Condition | None = None
    excludes: list[str] = Field(default_factory=list)  # members it cannot go with


class Selector(_Strict):
    name: str = Field(pattern=NAME)
    label: str = Field(min_length=1, max_length=64)
    options: list[str] = Field(min_length=2)


class SharedMaterial(_Strict):
    key: str = Field(pattern=r"^[A-Za-z0-9_-]{1,32}$")
    name: str = Field(min_length=1, max_length=200)
    members: dict[str, str] = Field(min_length=2)  # item code → its material code


class BundleGuide(_Strict):
    name: str = Field(min_length=2, max_length=200)
    description: str = ""
    keywords: list[str] = Field(default_factory=list, max_length=20)
    members: list[Member] = Field(min_length=2, max_length=20)
    selectors: list[Selector] = Field(default_factory=list, max_length=10)
    field_map: dict[str, dict[str, str]] = Field(default_factory=dict)
    shared_materials: list[SharedMaterial] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> BundleGuide:
        codes = [m.item_code for m in self.members]
        if len(codes) != len(set(codes)):
            raise ValueError("成员事项不能重复")
        questions = {s.name: s for s in self.selectors}
        for m in self.members:
            if any(x not in codes for x in m.excludes):
                raise ValueError(f"{m.item_code}: excludes names a non-member")
            if m.when and m.when.field not in questions:
                raise ValueError(f"{m.item_code}: condition on an unknown question")
        for shared in self.shared_materials:
            if any(code not in codes for code in shared.members):
                raise ValueError(f"shared material {shared.key}: names a non-member")
        if any(code not in codes for code in self.field_map):
            raise ValueError("field_map names a non-member")
        return self


class BundleCreate(BundleGuide):
    code: str = Field(pattern=CODE_PATTERN)
    lead_department: str  # department code


class BundleFile(BaseModel):
    bundles: list[BundleCreate]


# ---- answers and requests ----


class SearchQuery(BaseModel):
    q: str = Field("", max_length=64)


class BundleSummary(BaseModel):
    code: str
    name: str
    description: str
    lead_department: str
    members: list[str]
    version: int


class BundleList(BaseModel):
    items: list[BundleSummary]


class MemberGuide(BaseModel):
    item_code: str
    name: str
    department: str
    required: bool
    when: dict[str, Any] | None
    excludes: list[str]
    conditions: str
    online_depth: str
    promised_limit_days: int
    total_fee_fen: int


class GuideField(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str
    label: str
    type: str
    required: bool
    members: list[str]


class GuideMaterial(BaseModel):
    key: str
    name: str
    required: bool
    members: list[str]


class FeeLine(BaseModel):
    item_code: str
    name: str
    amount_fen: int
    collecting_unit_code: str


class MergedGuide(BaseModel):
    code: str
    name: str
    description: str
    version: int
    lead_department: str
    members: list[MemberGuide]
    selectors: list[Selector]
    form: list[GuideField]
    materials: list[GuideMaterial]
    fees: list[FeeLine]
    total_fee_fen: int


class ApplyIn(BaseModel):
    bundle_code: str = Field(min_length=1, max_length=64)
    answers: dict[str, str] = Field(default_factory=dict, description="bundle questions")
    selected: list[str] = Field(default_factory=list, description="optional members chosen")
    form: dict[str, Any] = Field(default_factory=dict)
    delivery: Literal["window", "express", "online"] | None = None
    channel: Literal["app", "wechat", "alipay"] | None = None


class MemberOut(BaseModel):
    case_id: int
    case_no: str
    item_code: str
    item_name: str
    department_id: int
    department: str
    status: str
    status_label: str
    fee_total_fen: int
    clock: dict[str, Any] | None = None


class DefectOut(BaseModel):
    item_id: int
    material_code: str
    material_name: str
    problem: str
    requirement: str
    answered: bool


class DepartmentDefects(BaseModel):
    department: str
    case_id: int
    item_name: str
    notice_id: int
    deadline: str | None
    items: list[DefectOut]


class CombinedNotice(BaseModel):
    deadline: str | None
    departments: list[DepartmentDefects]


class ApplicationOut(BaseModel):
    id: int
    number: str
    bundle_code: str
    bundle_name: str
    lead_department: str
    status: str
    progress: dict[str, int]
    members: list[MemberOut]
    supplement: CombinedNotice | None
    fee_total_fen: int
    payer_case_id: int | None
    created_at: str | None
    submitted_at: str | None


class ApplicationList(BaseModel):
    items: list[ApplicationOut]


class BundlePayIn(BaseModel):
    channel: Literal["wechatpay", "alipay"]
    scene: str = Field(min_length=2, max_length=16)
    payer_id: str | None = Field(None, max_length=128)
