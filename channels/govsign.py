"""Signed requests of the government back-office edges (好差评 reporting, the 12345 hotline).

These systems are provincial and publish no one interface, so both edges speak one protocol of
our own (``docs/haocp-and-12345.md``), shaped like WeChat Pay v3's: every request, in either
direction, carries

    X-Gov-Appid: <the caller's id>
    X-Gov-Timestamp: <unix seconds>
    X-Gov-Nonce: <16–64 characters, never reused>
    X-Gov-Signature: base64(HMAC-SHA256(secret, string_to_sign))

where ``string_to_sign`` is ``METHOD\\nPATH\\nTIMESTAMP\\nNONCE\\nhex(SHA-256(body))\\n``. The
signature covers the body and the path, so a signed request cannot be re-aimed or edited; the
timestamp bounds how long it can be replayed, and the receiver refuses a nonce it has seen
within that window. Written here once for both edges (the simulators in ``sandbox/`` compute it
on their own, which cross-checks it).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp

from app.interfaces import FinalProviderError, RetryableProviderError

APPID = "X-Gov-Appid"
TIMESTAMP = "X-Gov-Timestamp"
NONCE = "X-Gov-Nonce"
SIGNATURE = "X-Gov-Signature"
MAX_SKEW_SECONDS = 300


class SignatureError(ValueError):
    """The request is not what its sender signed (or not signed by whom it claims)."""


class StaleRequest(SignatureError):
    """Correctly signed, but too old (or from too far in the future) to be believed."""


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()}\n{path}\n{timestamp}\n{nonce}\n{digest}\n"


def sign(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), string_to_sign(method, path, timestamp, nonce, body).encode(),
                   hashlib.sha256)
    return base64.b64encode(mac.digest()).decode()


def signed_headers(appid: str, secret: str, method: str, path: str, body: bytes, *,
                   timestamp: int | None = None, nonce: str | None = None) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    nonce = nonce or secrets.token_hex(16)
    return {
        APPID: appid, TIMESTAMP: ts, NONCE: nonce,
        SIGNATURE: sign(secret, method, path, ts, nonce, body),
        "Content-Type": "application/json; charset=utf-8",
    }


@dataclass(frozen=True)
class Signed:
    appid: str
    timestamp: int
    nonce: str


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name)
    if value is None:
        value = headers.get(name.lower(), "")
    return str(value).strip()


def verify(headers: Mapping[str, str], method: str, path: str, body: bytes, *, appid: str,
           secret: str, now: float | None = None) -> Signed:
    """Check who signed it and that nothing changed; raise ``SignatureError`` (or
    ``StaleRequest``) otherwise. The nonce is the caller's to remember (it needs a store)."""
    sent_appid, ts, nonce = (_header(headers, n) for n in (APPID, TIMESTAMP, NONCE))
    signature = _header(headers, SIGNATURE)
    if not (sent_appid and ts.isdigit() and 16 <= len(nonce) <= 64 and signature):
        raise SignatureError("missing or malformed signature headers")
    if not hmac.compare_digest(sent_appid, appid):
        raise SignatureError("unknown appid")
    expected = sign(secret, method, path, ts, nonce, body)
    if not hmac.compare_digest(signature, expected):
        raise SignatureError("signature mismatch")
    if abs((time.time() if now is None else now) - int(ts)) > MAX_SKEW_SECONDS:
        raise StaleRequest("timestamp outside the accepted window")
    return Signed(sent_appid, int(ts), nonce)


async def post_signed(http: aiohttp.ClientSession, base: str, path: str, doc: dict[str, Any], *,
                      appid: str, secret: str, key: str, system: str) -> dict[str, Any]:
    """Sign and send one JSON request; answer the JSON object the system sent back. Network
    trouble, HTTP 5xx and 429 are retryable; reading the answer's ``code`` is the edge's."""
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    headers = signed_headers(appid, secret, "POST", path, body)
    headers["Idempotency-Key"] = key
    try:
        async with http.post(base + path, data=body, headers=headers) as resp:
            if resp.status >= 500 or resp.status == 429:
                raise RetryableProviderError(f"{system} HTTP {resp.status}", code=resp.status)
            data = await resp.json(content_type=None)
    except (aiohttp.ClientError, TimeoutError, json.JSONDecodeError) as exc:
        raise RetryableProviderError(f"{system} unreachable: {exc!r}") from exc
    if not isinstance(data, dict):
        raise RetryableProviderError(f"{system} answered no JSON object")
    return data


def answer_data(data: dict[str, Any]) -> dict[str, Any]:
    """The ``data`` object of an answer (empty when there is none)."""
    inner = data.get("data")
    return inner if isinstance(inner, dict) else {}


@dataclass(frozen=True)
class CodeTable:
    """How one system's answer codes read: which mean done, which may pass if tried again;
    every other code is a final refusal."""

    settled: frozenset[str]
    retryable: frozenset[str]
    final_error: type[FinalProviderError]
    retry_error: type[RetryableProviderError]

    def raise_for(self, data: dict[str, Any]) -> None:
        code, message = str(data.get("code")), str(data.get("message") or "")
        if code in self.settled:
            return
        if code in self.retryable:
            raise self.retry_error(message, code=code, raw=data)
        raise self.final_error(message, code=code, raw=data)
