"""The shapes of a 办事指南: what staff send when they create or edit an item, what the data
file holds, and what citizens read. The JSON columns of ``ServiceItemVersion`` store these."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ItemType = Literal[
    "行政许可",
    "行政确认",
    "行政给付",
    "行政征收",
    "行政奖励",
    "行政裁决",
    "其他行政权力",
    "公共服务",
]
OnlineDepth = Literal["不见面", "见一次面", "见多次面"]
DeliveryMethod = Literal["window", "express", "online"]  # 窗口自取 / 快递送达 / 电子送达
Channel = Literal["app", "wechat", "alipay"]
FieldType = Literal[
    "text", "textarea", "number", "integer", "date", "select", "phone", "id_number", "address",
    "name", "email", "bank_card", "boolean",
]
CODE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_-]{1,63}$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class TrustLevel(StrEnum):
    """How far a material can be trusted, A highest (``app.licences.trust`` decides a
    material's level and enforces an item's minimum at submission and at 受理)."""

    A = "A"  # fetched from the licence library, or a certificate we issued
    B = "B"  # checked against an authoritative source (the ID check)
    C = "C"  # uploaded, and accepted by staff at 预审
    D = "D"  # self-declared


# the 1–3 scale that came before (1 lowest): 1 → D, 2 → C, 3 → B
LEGACY_TRUST_LEVELS = {1: TrustLevel.D, 2: TrustLevel.C, 3: TrustLevel.B}


class Pledge(_Strict):
    """告知承诺: the applicant may sign this pledge instead of giving the material. The text is
    versioned: a signature names the version it signed, and the department checks the fact
    (事后核查) within ``check_workdays`` of 受理."""

    text: str = Field(min_length=10, max_length=2000)
    version: int = Field(1, ge=1)
    check_workdays: int = Field(20, ge=1, le=120)


class Tolerance(_Strict):
    """容缺受理: the case may be accepted with this (non-key) material missing; it must be
    supplied (补齐) within ``workdays`` of 受理. ``hold`` says what waits for it: the result
    (withheld) or its delivery (issued, not delivered)."""

    workdays: int = Field(10, ge=1, le=60)
    hold: Literal["result", "delivery"] = "result"


class Material(_Strict):
    code: str = Field(pattern=r"^[A-Za-z0-9_-]{1,16}$")
    name: str = Field(min_length=1, max_length=200)
    required: bool = True
    format: str = Field("电子件", max_length=16)  # 原件 / 复印件 / 电子件
    sample: str = ""  # URL of a filled-in sample
    min_trust_level: TrustLevel = TrustLevel.D
    elicence_type: str | None = None  # an e-licence of the applicant that can stand in for it
    copies: int = Field(1, ge=1, le=20)
    accept: list[str] = Field(default_factory=lambda: ["jpg", "png", "pdf"])
    note: str = ""
    pledge: Pledge | None = None
    tolerance: Tolerance | None = None

    @field_validator("min_trust_level", mode="before")
    @classmethod
    def _legacy_level(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            if value not in LEGACY_TRUST_LEVELS:
                raise ValueError("trust level is A, B, C or D")
            return LEGACY_TRUST_LEVELS[value]
        return value


class ResultField(_Strict):
    """One line of a certificate: its label and where the value comes from —
    ``holder.name``, ``holder.id_number`` (printed masked), ``holder.credit_code``,
    ``form.<field>``, ``case.number``, ``case.result_note`` or ``item.name``."""

    label: str = Field(min_length=1, max_length=16)
    source: str = Field(pattern=r"^(holder\.(name|id_number|credit_code)|form\.[a-z][a-z0-9_]{0,63}"
                        r"|case\.(number|result_note)|item\.name)$")


class ResultTemplate(_Strict):
    """What the electronic result of an item looks like: issuing the result of a case of the
    item creates a certificate of this type (for paper results, as their electronic copy)."""

    type_code: str = Field(pattern=r"^[A-Za-z0-9_-]{2,32}$")  # 证照类型代码 (证照目录)
    title: str = Field(min_length=2, max_length=32)
    fields: list[ResultField] = Field(min_length=1, max_length=12)
    statement: str = Field("", max_length=500)  # the paragraph under the table
    valid_days: int | None = Field(None, ge=1, le=3650)  # None: the default validity


class Step(_Strict):
    name: str = Field(min_length=1, max_length=64)
    description: str = ""


class SpecialStage(_Strict):
    """特殊环节 (现场核查, 公示, 专家评审 …); ``counts_toward_limit`` false pauses the clock."""

    name: str = Field(min_length=1, max_length=64)
    days: int = Field(ge=0, le=365)
    counts_toward_limit: bool = False


class Fee(_Strict):
    name: str = Field(min_length=1, max_length=100)
    amount_fen: int = Field(ge=1, le=100_000_000)
    nontax_code: str = Field(min_length=1, max_length=32)  # 非税收入项目编码
    collecting_unit_code: str = Field(min_length=1, max_length=32)  # 执收单位编码


class Faq(_Strict):
    q: str = Field(min_length=1, max_length=200)
    a: str = Field(min_length=1, max_length=2000)


class FormField(BaseModel):
    """A field of the application form; extra keys (``options``, ``min``, ``max``, ``help``,
    ``pattern``) are kept for the case form validator."""

    model_config = ConfigDict(extra="allow")
    name: str = Field(pattern=r"^[a-z][a-z0-9_]{0,63}$")
    label: str = Field(min_length=1, max_length=64)
    type: FieldType = "text"
    required: bool = True
    options: list[str] | None = None

    @model_validator(mode="after")
    def _select_has_options(self) -> FormField:
        if self.type == "select" and not self.options:
            raise ValueError("select field needs options")
        pattern = (self.model_extra or {}).get("pattern")
        if pattern is not None:  # a bad pattern would fail every citizen's form check with a 500
            try:
                re.compile(pattern)
            except (TypeError, re.error) as exc:
                raise ValueError("pattern is not a valid regular expression") from exc
        return self


class FormSchema(BaseModel):
    fields: list[FormField] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique_names(self) -> FormSchema:
        names = [f.name for f in self.fields]
        if len(names) != len(set(names)):
            raise ValueError("form field names must be unique")
        return self


class Guide(_Strict):
    """One version of an item's guide: everything that may change from version to version."""

    name: str = Field(min_length=2, max_length=200)
    item_type: ItemType
    legal_basis: str = ""
    conditions: str = ""
    materials: list[Material] = Field(default_factory=list, max_length=50)
    steps: list[Step] = Field(default_factory=list, max_length=30)
    special_stages: list[SpecialStage] = Field(default_factory=list, max_length=10)
    legal_limit_days: int = Field(ge=0, le=365)
    promised_limit_days: int = Field(ge=0, le=365)
    fees: list[Fee] = Field(default_factory=list, max_length=20)
    fee_timing: Literal["submission", "approval"] = "approval"
    online_depth: OnlineDepth
    visits: int = Field(0, ge=0, le=10)
    delivery_options: list[DeliveryMethod] = Field(default_factory=lambda: ["window"],  # type: ignore[arg-type]  # pydantic validates the literal
                                                  min_length=1)
    postage_fen: int = Field(0, ge=0, le=100_000)
    required_realname_level: int = Field(2, ge=1, le=3)
    channels: list[Channel] = Field(
        default_factory=lambda: ["app", "wechat", "alipay"],  # type: ignore[arg-type]  # as above
        min_length=1
    )
    themes: list[str] = Field(default_factory=list, max_length=10)
    keywords: list[str] = Field(default_factory=list, max_length=20)  # 俗称: 低保, 上户口
    form_schema: FormSchema = Field(default_factory=FormSchema)
    consult_phone: str = Field("", max_length=64)
    complaint_phone: str = Field("", max_length=64)
    faq: list[Faq] = Field(default_factory=list, max_length=50)
    result_template: ResultTemplate | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Guide:
        if self.promised_limit_days > self.legal_limit_days:
            raise ValueError("承诺时限不能超过法定时限")
        codes = [m.code for m in self.materials]
        if len(codes) != len(set(codes)):
            raise ValueError("材料编码不能重复")
        if self.online_depth == "不见面" and self.visits:
            raise ValueError("不见面事项的跑动次数应为 0")
        return self


class ItemCreate(Guide):
    code: str = Field(pattern=CODE_PATTERN)  # 实施编码
    basic_code: str = Field(min_length=1, max_length=64)  # 基本编码
    department: str | None = None  # department code; defaults to the staff member's own


class DataFile(BaseModel):
    """``data/catalogue.json``: departments and items for ``seed-demo``."""

    class Department(_Strict):
        code: str
        name: str
        region_code: str = ""
        phone: str = ""
        address: str = ""

    departments: list[Department]
    items: list[ItemCreate]


# ---- answers (documented in OpenAPI; the citizen ones are served as cached bytes) ----


class DepartmentRef(BaseModel):
    code: str
    name: str


class DepartmentInfo(DepartmentRef):
    phone: str = ""
    address: str = ""


class ItemSummary(BaseModel):
    code: str
    name: str
    department: DepartmentRef
    item_type: str
    online_depth: str
    visits: int
    promised_limit_days: int
    total_fee_fen: int
    themes: list[str]
    channels: list[str]
    delivery_options: list[str]


class ItemList(BaseModel):
    items: list[ItemSummary]
    total: int
    page: int
    page_size: int


class ItemGuide(Guide):
    """The full 办事指南 of one version."""

    model_config = ConfigDict(extra="allow")
    code: str
    basic_code: str
    department: DepartmentInfo
    version: int
    version_id: int
    total_fee_fen: int
    updated_at: str | None = None
    # versions stored before the input bound (and items needing no real name) hold 0
    required_realname_level: int = Field(2, ge=0, le=3)


class Facet(BaseModel):
    name: str
    count: int


class DepartmentFacet(DepartmentRef):
    count: int


class Facets(BaseModel):
    departments: list[DepartmentFacet]
    themes: list[Facet]
    online_depths: list[Facet]
    channels: list[Facet]


class VersionInfo(BaseModel):
    version: int
    version_id: int
    name: str
    created_at: str | None
    created_by: int | None


class StaffItemSummary(BaseModel):
    code: str
    basic_code: str
    department: DepartmentRef
    name: str
    published: bool
    published_version: int | None
    published_at: str | None
    latest_version: int | None


class StaffItemList(BaseModel):
    items: list[StaffItemSummary]


class StaffItem(StaffItemSummary):
    versions: list[VersionInfo]
    latest: ItemGuide | None


class PublishIn(_Strict):
    version: int | None = Field(None, ge=1)  # default: the latest version
