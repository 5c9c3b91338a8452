"""Request and answer shapes of the push API."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app import clock
from app.clock import SHANGHAI
from models.cases import CaseStatus
from push.routing import ORDER as CHANNELS

# ids as the database holds them: out-of-range numbers are a 422, not a database error
RowId = Annotated[int, Field(ge=1, le=2**31 - 1)]
BigRowId = Annotated[int, Field(ge=1, le=2**63 - 1)]
# a link travels to every platform: our own pages or https only, never javascript: and the like
LINK = r"^(/[^/\\]|/$|https://)\S*$"


class InboxQuery(BaseModel):
    before: BigRowId | None = None
    limit: int = Field(20, ge=1, le=100)
    unread: bool = False


class MarkReadIn(BaseModel):
    ids: list[BigRowId] | None = Field(None, max_length=500)
    all: bool = False


class DeviceIn(BaseModel):
    registration_id: str = Field(min_length=4, max_length=128, pattern=r"^[A-Za-z0-9_\-]+$")
    platform: Literal["android", "ios"] = "android"


class PreferencesIn(BaseModel):
    mute_normal: bool = False
    mute_bulk: bool = False
    # unknown channel names are dropped (push.inbox.set_preferences)
    disabled_channels: list[str] = Field(default_factory=list, max_length=10)


class Audience(BaseModel):
    kind: Literal["persons", "item_state", "department"]
    person_ids: list[RowId] | None = Field(None, max_length=1_000_000)
    item_id: RowId | None = None
    status: CaseStatus | None = None
    department_id: RowId | None = None
    # naive times are read as UTC
    from_: datetime | None = Field(None, alias="from")
    to: datetime | None = None

    @model_validator(mode="after")
    def _complete(self) -> Audience:
        needed = {
            "persons": ("person_ids",),
            "item_state": ("item_id", "status"),
            "department": ("department_id",),
        }[self.kind]
        missing = [n for n in needed if not getattr(self, n)]
        if missing:
            raise ValueError(f"audience {self.kind} needs {', '.join(missing)}")
        return self

    def stored(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        if self.kind == "persons":
            out["person_ids"] = sorted(set(self.person_ids or []))
        elif self.kind == "item_state":
            out.update(item_id=self.item_id, status=str(self.status))
        else:
            out.update(
                department_id=self.department_id,
                **{
                    "from": self.from_.isoformat() if self.from_ else None,
                    "to": self.to.isoformat() if self.to else None,
                },
            )
        return out


class CampaignIn(BaseModel):
    title: str = Field(min_length=1, max_length=64)
    body: str = Field(min_length=1, max_length=500)
    link: str | None = Field(None, max_length=255, pattern=LINK)
    audience: Audience
    rate_limits: dict[Literal[CHANNELS], int] = Field(  # type: ignore[valid-type]
        default_factory=dict
    )
    scheduled_at: datetime | None = None  # naive times are Beijing time (staff enter local)

    @field_validator("scheduled_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=SHANGHAI)
        return clock.utc(value) if value is not None else None

    @field_validator("rate_limits")
    @classmethod
    def _positive(cls, value: dict[str, int]) -> dict[str, int]:
        if any(v < 1 for v in value.values()):
            raise ValueError("rate limits are messages per second, at least 1")
        return value


class DirectMessageIn(BaseModel):
    case_id: RowId
    title: str = Field("办件提醒", min_length=1, max_length=64)
    body: str = Field(min_length=1, max_length=300)


# ---------------------------------------------------------------- answers


class MessageOut(BaseModel):
    id: int
    category: str
    title: str
    body: str
    link: str | None
    case_id: int | None
    read: bool
    created_at: str | None


class InboxPageOut(BaseModel):
    items: list[MessageOut]
    next_before: int | None


class UnreadOut(BaseModel):
    unread: int


class MarkReadOut(BaseModel):
    marked: int
    unread: int


class DeviceOut(BaseModel):
    registration_id: str
    platform: str


class PreferencesOut(BaseModel):
    mute_normal: bool
    mute_bulk: bool
    disabled_channels: list[str]


class ProgressOut(BaseModel):
    state: str
    total: int
    expanded: int
    channels: dict[str, dict[str, int]]  # channel → delivery state → count


class CampaignOut(BaseModel):
    id: int
    title: str
    body: str
    link: str | None
    state: str
    audience: dict[str, Any]
    rate_limits: dict[str, int]
    total: int
    expanded: int
    scheduled_at: str | None
    approved_at: str | None = Field(None, description="when an admin approved it (needed "
                                    "above campaign_approval_threshold recipients)")
    progress: ProgressOut | None = None


class PreviewOut(BaseModel):
    channels: dict[str, dict[str, Any]]
    audience_size: int
    unreachable_person_ids: list[int] = Field(
        default_factory=list, description="given person ids that name no one the campaign may "
        "reach: reported, not counted (the first 1000)")
    needs_approval: bool = False


class DirectMessageOut(BaseModel):
    notification_id: int


class AlertQuery(BaseModel):
    open: bool = Field(True, description="only alerts nobody has acknowledged yet")
    before: BigRowId | None = None
    limit: int = Field(50, ge=1, le=200)


class AlertOut(BaseModel):
    id: int
    kind: str = Field(description="case.clock_yellow | case.clock_red | "
                      "case.supplement_overdue | payment.refund_failed | payment.anomaly")
    severity: str
    title: str
    body: str
    case_id: int | None
    data: dict[str, Any]
    created_at: str | None
    acknowledged: bool
    acknowledged_by: int | None
    acknowledged_at: str | None


class AlertPageOut(BaseModel):
    items: list[AlertOut]
    next_before: int | None
    open_count: int
