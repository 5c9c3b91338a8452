"""State and RSA2 signing of the Alipay gateway simulator (its own code: sandbox imports nothing
of ours)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import itertools
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

KEYS = Path(__file__).resolve().parent.parent / "keys"
APP_PRIVATE_KEY = KEYS / "alipay_app_private_key.pem"  # fzlee/alipay tests/certs/app (public)
APP_PUBLIC_KEY = KEYS / "alipay_app_public_key.pem"
PLATFORM_PRIVATE_KEY = KEYS / "alipay_platform_private_key.pem"  # "Alipay's" key: a test key
PLATFORM_PUBLIC_KEY = KEYS / "alipay_platform_public_key.pem"

APP_ID = "2021004100000001"
SELLER_ID = "2088102000000001"
BEIJING = timezone(timedelta(hours=8))
YUAN = re.compile(r"^\d{1,9}(\.\d{1,2})?$")

# Alipay notifies 8 times within ~25 h: at once, then after 4m, 10m, 10m, 1h, 2h, 6h, 15h.
NOTIFY_SCHEDULE = (0.0, 240.0, 600.0, 600.0, 3600.0, 7200.0, 21600.0, 54000.0)


@lru_cache(maxsize=8)  # loading checks the key: ~0.1 s each
def load_private(path: Path) -> rsa.RSAPrivateKey:
    key = serialization.load_pem_private_key(path.read_bytes(), None)
    assert isinstance(key, rsa.RSAPrivateKey)
    return key


@lru_cache(maxsize=8)
def load_public(path: Path) -> rsa.RSAPublicKey:
    key = serialization.load_pem_public_key(path.read_bytes())
    assert isinstance(key, rsa.RSAPublicKey)
    return key


def sign(key: rsa.RSAPrivateKey, content: str) -> str:
    raw = key.sign(content.encode(), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(raw).decode()


def verify(key: rsa.RSAPublicKey, content: str, signature: str) -> bool:
    try:
        key.verify(base64.b64decode(signature, validate=True), content.encode(),
                   padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def request_content(params: dict[str, str]) -> str:
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k != "sign" and params[k])


def notify_content(params: dict[str, str]) -> str:
    return "&".join(f"{k}={params[k]}" for k in sorted(params) if k not in ("sign", "sign_type"))


def stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(UTC)).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S")


def yuan(text: str) -> Decimal:
    return Decimal(text)


def dumps(body: dict[str, Any]) -> str:
    # Spaced separators on purpose: a client that re-serialises instead of verifying the raw
    # text fails here, as it would against the real gateway's formatting.
    return json.dumps(body, ensure_ascii=False)


@dataclass
class Refund:
    out_request_no: str
    amount: str
    reason: str
    at: datetime


@dataclass
class Trade:
    out_trade_no: str
    trade_no: str
    total_amount: str
    subject: str
    buyer_id: str | None
    buyer_open_id: str | None
    notify_url: str | None
    product_code: str
    status: str = "WAIT_BUYER_PAY"
    created_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    paid_at: datetime | None = None
    refunds: dict[str, Refund] = field(default_factory=dict)

    @property
    def refunded(self) -> Decimal:
        return sum((Decimal(r.amount) for r in self.refunds.values()), Decimal("0"))


@dataclass
class Faults:
    duplicate_notify: int = 0  # extra copies of every notify, sent concurrently
    notify_delay: float = 0.0  # seconds before the first notify
    wrong_amount: bool = False  # notify a total_amount 1.00 yuan higher (correctly signed)
    bad_notify_sign: bool = False  # sign notifies with a key that is not Alipay's
    bad_response_sign: bool = False  # sign gateway answers with a key that is not Alipay's


@dataclass
class AlipaySimState:
    app_id: str = APP_ID
    seller_id: str = SELLER_ID
    app_public_key: rsa.RSAPublicKey = field(default_factory=lambda: load_public(APP_PUBLIC_KEY))
    platform_key: rsa.RSAPrivateKey = field(
        default_factory=lambda: load_private(PLATFORM_PRIVATE_KEY)
    )
    wrong_key: rsa.RSAPrivateKey = field(default_factory=lambda: load_private(APP_PRIVATE_KEY))
    time_scale: float = 1.0  # multiplies the notify retry schedule (create_app: 0.001)
    faults: Faults = field(default_factory=Faults)
    fail_next: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    trades: dict[str, Trade] = field(default_factory=dict)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)  # auth_code → identity
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)  # access_token → identity
    refresh_tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    bills: dict[str, str] = field(default_factory=dict)  # download token → bill date
    messages: list[dict[str, Any]] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)
    notifies: list[dict[str, Any]] = field(default_factory=list)  # one per delivery attempt
    acknowledged: set[str] = field(default_factory=set)  # notify_ids answered "success"
    tasks: set[asyncio.Task[None]] = field(default_factory=set)
    seq: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def new_trade_no(self) -> str:
        return datetime.now(BEIJING).strftime("%Y%m%d") + f"2200{next(self.seq):014d}"

    def find(self, biz: dict[str, Any]) -> Trade | None:
        if biz.get("out_trade_no"):
            return self.trades.get(str(biz["out_trade_no"]))
        trade_no = biz.get("trade_no")
        return next((t for t in self.trades.values() if t.trade_no == trade_no), None)
