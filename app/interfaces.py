"""The small interfaces the core owns and every platform edge in ``channels/`` implements.

The core never imports a platform: it is handed objects that satisfy these protocols (see
``app/edges.py`` for how they are chosen from settings). Each result type is platform-neutral;
the platform's own raw code is kept alongside for the record.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

from models.certificates import HolderKind


class ProviderError(Exception):
    """A platform call failed. ``retryable`` says whether trying again may help."""

    retryable: bool = False

    def __init__(self, message: str, *, code: str | int | None = None, raw: Any = None):
        super().__init__(message)
        self.code = code
        self.raw = raw


class RetryableProviderError(ProviderError):
    """Network trouble, 5xx, "system busy", quota: try again later."""

    retryable = True


class FinalProviderError(ProviderError):
    """The platform said no for good (bad parameter, unknown user, refused)."""

    retryable = False


# ---------------------------------------------------------------- login


@dataclass(frozen=True)
class PlatformIdentity:
    channel: str  # "app" | "wechat" | "alipay"
    subject: str  # phone for app, openid for WeChat, user_id / open_id for Alipay
    union_id: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class LoginProvider(Protocol):
    channel: str

    async def identify(self, credential: dict[str, Any]) -> PlatformIdentity: ...


@runtime_checkable
class OAuthLoginProvider(LoginProvider, Protocol):
    """A login that starts by sending the person to the platform's authorize page (WeChat
    web OAuth)."""

    def authorize_url(self, redirect_uri: str, scope: str = ..., state: str = ...) -> str: ...


@runtime_checkable
class SharingLoginProvider(LoginProvider, Protocol):
    """A login whose token also lets the platform share the person's verified identity
    (Alipay's real-name share)."""

    async def share_user_info(self, access_token: str) -> dict[str, Any]: ...


# ---------------------------------------------------------------- real name


class RealNameOutcome(StrEnum):
    MATCH = "match"
    MISMATCH = "mismatch"
    NO_RECORD = "no_record"


@dataclass(frozen=True)
class RealNameResult:
    outcome: RealNameOutcome
    level: int  # the assurance level this check proves when it matches (2 or 3)
    source: str
    raw_code: str | None = None


@runtime_checkable
class RealNameProvider(Protocol):
    source: str

    async def verify(
        self, name: str, id_number: str, face_token: str | None = None
    ) -> RealNameResult: ...


@dataclass(frozen=True)
class FaceSession:
    biz_token: str
    url: str  # where the person's browser goes to show their face


@runtime_checkable
class FaceCheckProvider(RealNameProvider, Protocol):
    """Level 3: ``start`` opens a face session; ``verify`` then takes its ``biz_token`` as the
    face token."""

    async def start(self, name: str, id_number: str, redirect_url: str) -> FaceSession: ...


# ---------------------------------------------------------------- payment


class PayChannel(StrEnum):
    wechatpay = "wechatpay"
    alipay = "alipay"


@dataclass(frozen=True)
class PayRequest:
    out_trade_no: str
    amount_fen: int
    subject: str
    scene: str  # "jsapi" | "app" | "miniprogram" | "h5"
    payer_id: str | None = None  # openid / Alipay buyer id
    expires_at: datetime | None = None
    client_ip: str | None = None  # the payer's address: WeChat Pay H5 requires it


class PayState(StrEnum):
    """An order's state as the platform reports it, in the core's words."""

    paid = "paid"
    pending = "pending"
    closed = "closed"
    refunded = "refunded"
    failed = "failed"


class NotifyKind(StrEnum):
    """What a notify is about. Each gateway maps its platform's words onto these (Alipay
    reports a payment and a refund with the same trade notify); ``payment_notify.kind``
    stores them."""

    payment = "payment"
    refund = "refund"


@dataclass(frozen=True)
class RefundFacts:
    """What a refund notify says about one refund. A platform names either this refund's
    amount (``refund_fen``, WeChat Pay) or the trade's refunded total so far
    (``refunded_total_fen``, Alipay)."""

    out_refund_no: str
    status: str | None = None  # the platform's own refund status, kept as a failure reason
    refund_fen: int | None = None
    refunded_total_fen: int | None = None


@dataclass(frozen=True)
class PayResult:
    """What the platform says about one order, from a notify or a query. ``kind`` and
    ``notify_id`` are set on a notify, ``refund`` on a refund notify; ``raw`` is the
    platform's own words, kept for the record and never read by the core."""

    out_trade_no: str
    state: PayState
    amount_fen: int | None = None
    transaction_id: str | None = None
    paid_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    kind: NotifyKind | None = None
    notify_id: str | None = None
    refund: RefundFacts | None = None


@runtime_checkable
class PaymentGateway(Protocol):
    name: str  # "wechatpay" | "alipay"

    async def create(self, req: PayRequest) -> dict[str, Any]:
        """Create the order at the platform; answer what the front end needs to pay."""
        ...

    async def verify_notify(self, headers: dict[str, str], body: bytes) -> PayResult: ...

    async def query(self, out_trade_no: str) -> PayResult: ...

    async def close(self, out_trade_no: str) -> None: ...

    async def refund(
        self, out_trade_no: str, out_refund_no: str, amount_fen: int, total_fen: int, reason: str,
        *, transaction_id: str | None = None,
    ) -> dict[str, Any]:
        """``transaction_id`` names one platform transaction of the order when it was paid
        twice (the surplus one is refunded, not the order's own payment)."""
        ...

    async def download_bill(self, bill_date: str) -> list[dict[str, Any]]: ...


# ---------------------------------------------------------------- notify


class DeliveryOutcome(StrEnum):
    SENT = "sent"
    RETRYABLE = "retryable"
    PERMANENT = "permanent"


@dataclass(frozen=True)
class OutboundMessage:
    recipient: str  # openid, Alipay user id, registration id, phone …
    title: str
    body: str
    template_id: str | None = None
    data: dict[str, Any] = field(default_factory=dict)
    link: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class SendResult:
    outcome: DeliveryOutcome
    platform_message_id: str | None = None
    raw_code: str | None = None
    detail: str | None = None


@runtime_checkable
class Notifier(Protocol):
    channel: str

    async def send(self, message: OutboundMessage) -> SendResult: ...


# ---------------------------------------------------------------- SMS one-time codes


@runtime_checkable
class SmsSender(Protocol):
    async def send_code(self, phone: str, code: str, ttl_minutes: int) -> str:
        """Send a one-time code; answer the platform's message id."""
        ...


# ---------------------------------------------------------------- courier tracking


@dataclass(frozen=True)
class TrackingEvent:
    time: datetime
    context: str
    state: str  # our shipment state
    area: str | None = None
    raw_state: str | None = None


@dataclass(frozen=True)
class TrackingUpdate:
    carrier: str
    waybill_no: str
    status: str  # provider-level: polling | shutdown | abort | updateall
    state: str | None
    events: list[TrackingEvent]
    message: str | None = None


class Booker(Protocol):
    """The carrier's order API (``channels/express/carrier.py``), as the core sees it."""

    async def book(
        self, order_id: str, *, sender: Any, receiver: Any, pickup: bool, cargo: str
    ) -> Any: ...


@runtime_checkable
class Tracker(Protocol):
    provider: str

    async def subscribe(self, carrier: str, waybill_no: str, phone: str | None) -> None: ...

    def verify_callback(self, form: dict[str, str]) -> TrackingUpdate: ...

    async def query(self, carrier: str, waybill_no: str, phone: str | None) -> TrackingUpdate: ...


# ---------------------------------------------------------------- licence library (电子证照库)


@dataclass(frozen=True)
class LicenceRecord:
    """One licence as the library describes it (GB/T 36903 metadata)."""

    licence_id: str
    type_code: str  # 证照类型代码 (证照目录)
    type_name: str  # 居民身份证, 营业执照 …: what a material's ``elicence_type`` names
    number: str  # 证照编号 (may be an ID number: never shown or logged in clear)
    holder_kind: HolderKind
    holder_name: str
    holder_id: str  # ID number or credit code
    issuer: str
    issuer_code: str
    valid_from: date | None
    valid_until: date | None  # None: 长期有效
    status: str  # valid | cancelled
    identifier: str = ""  # GB/T 36904 licence identifier
    signature: str = ""  # the library's SM2 signature (fetched records only)

    def valid_on(self, day: date) -> bool:
        return (self.status == "valid" and (self.valid_from is None or self.valid_from <= day)
                and (self.valid_until is None or day <= self.valid_until))


class LicenceLibrary(Protocol):
    async def query(self, holder_kind: HolderKind, holder_id: str,
                    type_name: str | None = None) -> list[LicenceRecord]: ...

    async def fetch(self, licence_id: str, holder_id: str) -> LicenceRecord:
        """The full signed record; raises when its signature does not hold."""
        ...


# ---------------------------------------------------------------- market-regulation registry


class EnterpriseStatus(StrEnum):
    """登记状态 as the registry reports it; only ``active`` (存续/在业) may act."""

    active = "active"  # 存续 / 在业
    revoked = "revoked"  # 吊销
    deregistered = "deregistered"  # 注销


@dataclass(frozen=True)
class EnterpriseRecord:
    """企业登记信息 of one unified social credit code."""

    credit_code: str
    name: str
    legal_rep_name: str
    legal_rep_id_number: str  # never shown or logged in clear; compared by its blind index
    status: EnterpriseStatus


class EnterpriseRegistry(Protocol):
    async def lookup(self, credit_code: str) -> EnterpriseRecord | None:
        """The registration of ``credit_code``; ``None`` when the registry has none."""
        ...
