"""The signed, single-use ``state`` of a WeChat web OAuth round trip (CSRF protection).

``state`` = ``<nonce>.<expiry>.<hmac>``: the HMAC (``ZSB_STATE_SECRET``) proves we issued it,
the expiry bounds it, and a key-value marker makes it usable once.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from app.errors import BadRequest
from app.kv import KeyValue

TTL_SECONDS = 600


def _mac(secret: str, body: str) -> str:
    return hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()[:32]


def issue(secret: str, now: float | None = None) -> str:
    body = f"{secrets.token_urlsafe(12)}.{int((now or time.time()) + TTL_SECONDS)}"
    return f"{body}.{_mac(secret, body)}"


async def consume(secret: str, state: str, kv: KeyValue, now: float | None = None) -> None:
    nonce, _, rest = state.partition(".")
    expiry, _, mac = rest.partition(".")
    body = f"{nonce}.{expiry}"
    if not (nonce and expiry.isdigit() and hmac.compare_digest(mac, _mac(secret, body))):
        raise BadRequest("授权请求无效，请重新进入页面", code="OAUTH_STATE_INVALID")
    if int(expiry) < (now or time.time()):
        raise BadRequest("授权已过期，请重新进入页面", code="OAUTH_STATE_EXPIRED")
    if not await kv.set(f"oauth-state:{nonce}", "1", ex=TTL_SECONDS + 60, nx=True):
        raise BadRequest("授权请求已使用，请重新进入页面", code="OAUTH_STATE_USED")
