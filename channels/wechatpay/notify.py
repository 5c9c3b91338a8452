"""API v3 notify: signature over ``timestamp\\nnonce\\nbody\\n``, a 5-minute window, GCM resource.

https://pay.weixin.qq.com/docs/merchant/development/interface-rules/signature-verification.html
WeChat sends signature-probe notifies with bad signatures on purpose: they must be refused.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.asymmetric import rsa

from channels.wechatpay import signing
from channels.wechatpay.errors import NotifyMalformed, NotifySignatureError, NotifyStale

WINDOW_SECONDS = 300


@dataclass(frozen=True)
class NotifyEnvelope:
    id: str
    event_type: str
    create_time: str
    summary: str
    resource: dict[str, Any]  # decrypted


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name) or headers.get(name.lower())
    if value is None:
        lowered = {k.lower(): v for k, v in headers.items()}
        value = lowered.get(name.lower())
    return value or ""


def verify_signature(
    headers: Mapping[str, str],
    body: bytes,
    platform_keys: Mapping[str, rsa.RSAPublicKey],
    *,
    now: float | None = None,
    window: int = WINDOW_SECONDS,
) -> None:
    timestamp = _header(headers, "Wechatpay-Timestamp")
    nonce = _header(headers, "Wechatpay-Nonce")
    signature = _header(headers, "Wechatpay-Signature")
    serial = _header(headers, "Wechatpay-Serial")
    if not (timestamp and nonce and signature and serial):
        raise NotifySignatureError("missing Wechatpay-* headers")
    try:
        skew = abs((now if now is not None else time.time()) - int(timestamp))
    except ValueError as exc:
        raise NotifySignatureError("timestamp is not a number") from exc
    if skew > window:
        raise NotifyStale(f"timestamp {skew:.0f}s off")
    key = platform_keys.get(serial)
    if key is None:
        raise NotifySignatureError("unknown Wechatpay-Serial")
    if not signing.verify(signing.response_message(timestamp, nonce, body), signature, key):
        raise NotifySignatureError("signature does not verify")


def parse_notify(
    headers: Mapping[str, str],
    body: bytes,
    *,
    platform_keys: Mapping[str, rsa.RSAPublicKey],
    apiv3_key: str,
    now: float | None = None,
) -> NotifyEnvelope:
    verify_signature(headers, body, platform_keys, now=now)
    try:
        doc = json.loads(body)
        res = doc["resource"]
        if res.get("algorithm") != "AEAD_AES_256_GCM":
            raise NotifyMalformed("unsupported algorithm")
        plain = signing.aead_decrypt(
            apiv3_key, res["nonce"], res["ciphertext"], res.get("associated_data") or ""
        )
        resource = json.loads(plain)
        return NotifyEnvelope(
            id=str(doc["id"]),
            event_type=str(doc["event_type"]),
            create_time=str(doc.get("create_time", "")),
            summary=str(doc.get("summary", "")),
            resource=resource,
        )
    except NotifyMalformed:
        raise
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise NotifyMalformed(f"cannot read notify: {type(exc).__name__}") from exc
