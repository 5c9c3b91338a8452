"""What the 12345 hotline system and the core say to each other, and the interface its edge
implements (``channels/hotline``). Platform-neutral: the hotline's JSON names and type codes
are the edge's business."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

from models.tickets import TicketType


class CallbackRefused(Exception):
    """A callback not to be believed. ``code`` is the hotline's answer code, ``status`` the
    HTTP status to answer with; nothing it says is acted on."""

    def __init__(self, message: str, *, code: str, status: int) -> None:
        super().__init__(message)
        self.code = code
        self.status = status


@dataclass(frozen=True)
class HotlineDispatch:
    """派单: the hotline took a call and sends it to us (to a department, or to dispatch)."""

    dispatch_id: str  # unique per message the hotline sends; a redelivery repeats it
    ticket_no: str  # the hotline's 工单编号
    type: TicketType
    subject: str
    content: str
    caller_name: str | None
    caller_phone: str | None
    anonymous: bool
    department_code: str | None
    case_no: str | None
    item_code: str | None
    limit_days: int | None
    dispatched_at: datetime | None


@dataclass(frozen=True)
class HotlineFeedback:
    """回访结果: the hotline called the caller back about our reply."""

    dispatch_id: str
    ticket_no: str
    satisfied: bool
    comment: str | None = None


HotlineMessage = HotlineDispatch | HotlineFeedback


@dataclass(frozen=True)
class Verified:
    """A callback whose signature checks: what it says, and its nonce (to be used once)."""

    message: HotlineMessage
    nonce: str
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class HotlineReply:
    key: str  # idempotency key (one per reply of ours)
    ticket_no: str
    department_code: str
    department_name: str
    text: str
    replied_at: datetime


@dataclass(frozen=True)
class ReplyReceipt:
    receipt_no: str
    duplicate: bool = False


@runtime_checkable
class HotlineGateway(Protocol):
    def verify_callback(self, method: str, path: str, headers: dict[str, str], body: bytes
                        ) -> Verified:
        """Believe a callback or raise ``CallbackRefused`` (the nonce is checked by the core,
        which holds the store)."""
        ...

    async def send_reply(self, reply: HotlineReply) -> ReplyReceipt:
        """Send one reply; raise ``RetryableProviderError`` or ``FinalProviderError``."""
        ...
