"""Request and response shapes of the ticket endpoints (citizen and staff), for validation and
OpenAPI."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from models.tickets import TicketState, TicketType


class TicketIn(BaseModel):
    type: TicketType = Field(description="consult 咨询 · complaint 投诉 · suggestion 建议 · "
                                         "help 求助 · report 举报")
    subject: str = Field(min_length=2, max_length=60)
    text: str = Field(min_length=2, max_length=4000)
    case_id: int | None = Field(default=None, ge=1, le=2**31 - 1,
                                description="one of my cases it is about")
    item_code: str | None = Field(default=None, max_length=64,
                                  description="the service item it is about")
    anonymous: bool = Field(default=False, description="举报 only (ZSB_TICKET_ANONYMOUS_TYPES)")
    contact_name: str | None = Field(default=None, max_length=30)
    contact_phone: str | None = Field(default=None, pattern=r"^1\d{10}$")
    channel: Literal["app", "h5", "wechat", "alipay"] | None = None


class ReopenIn(BaseModel):
    reason: str | None = Field(default=None, max_length=1000)


class ClockOut(BaseModel):
    colour: str
    days_used: int
    days_left: int
    limit_days: int
    due_date: str | None
    running: bool


class TicketSummaryOut(BaseModel):
    id: int
    number: str
    type: TicketType
    type_name: str
    subject: str
    channel: str
    state: TicketState
    state_name: str
    anonymous: bool
    case_id: int | None
    item_id: int | None
    department_id: int | None
    duplicate_of: int | None
    created_at: str | None
    replied_at: str | None
    closed_at: str | None
    close_reason: str | None
    close_reason_name: str | None
    clock: ClockOut | None


class ReplyOut(BaseModel):
    id: int
    text: str
    at: str | None
    department_name: str


class AttachmentOut(BaseModel):
    id: int
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: str | None


class TicketOut(TicketSummaryOut):
    text: str
    replies: list[ReplyOut]
    attachments: list[AttachmentOut]
    can_confirm: bool
    can_reopen: bool
    can_rate: bool


class TicketListOut(BaseModel):
    items: list[TicketSummaryOut]
    total: int


class MineQuery(BaseModel):
    state: TicketState | None = None
    limit: int = Field(20, ge=1, le=100)
    offset: int = Field(0, ge=0, le=100_000)


# ------------------------------------------------------------------ staff


class ContactOut(BaseModel):
    anonymous: bool
    name: str | None
    phone: str | None


class StaffTicketOut(TicketSummaryOut):
    text: str
    replies: list[ReplyOut]
    attachments: list[AttachmentOut]
    reopen_count: int
    escalated_at: str | None
    limit_days: int
    contact: ContactOut | None
    duplicates: list[dict[str, Any]]
    trail: list[dict[str, Any]]


class QueueQuery(BaseModel):
    state: str | None = Field(default=None, description="comma-separated states")
    colour: Literal["green", "yellow", "red"] | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class QueueOut(BaseModel):
    items: list[TicketSummaryOut]


class StaffReplyIn(BaseModel):
    text: str = Field(min_length=2, max_length=4000)


class TransferIn(BaseModel):
    department_code: str | None = Field(default=None, max_length=32,
                                        description="none: back to the dispatch queue")
    reason: str = Field(min_length=2, max_length=1000)


class AssignIn(BaseModel):
    department_code: str = Field(min_length=1, max_length=32)
    reason: str | None = Field(default=None, max_length=1000)


class CloseIn(BaseModel):
    reason: str = Field(min_length=2, max_length=1000)


class RevealIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200)
