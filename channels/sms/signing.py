"""Aliyun-style RPC request signing (HMAC-SHA1 over the canonicalised query), which the SMS
platform (dysmsapi ``SendSms``) and our simulator both use."""

from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote


def percent_encode(value: str) -> str:
    return quote(value, safe="~")


def string_to_sign(method: str, params: dict[str, str]) -> str:
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items())
    )
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def sign(method: str, params: dict[str, str], secret: str) -> str:
    digest = hmac.new(
        f"{secret}&".encode(), string_to_sign(method, params).encode(), hashlib.sha1
    ).digest()
    return base64.b64encode(digest).decode()
