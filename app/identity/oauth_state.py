"""The signed, single-use ``state`` of a WeChat web OAuth round trip (CSRF protection).

``state`` = ``<nonce>.<expiry>.<hmac>``: the HMAC (``ZSB_STATE_SECRET``) proves we issued it,
the expiry bounds it, and a key-value marker makes it usable once. The HMAC also covers a
random value kept in the browser that asked for it (an HttpOnly cookie), so a state taken by
someone else, with their own code, cannot log a victim's browser into the attacker's account
(login CSRF): the victim's browser does not hold the matching cookie.
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


COOKIE = "zsb_oauth"


def new_binding() -> str:
    """The browser's half: kept in its cookie, never in the state itself."""
    return secrets.token_urlsafe(18)


def issue(secret: str, binding: str, now: float | None = None) -> str:
    body = f"{secrets.token_urlsafe(12)}.{int((now or time.time()) + TTL_SECONDS)}"
    return f"{body}.{_mac(secret, f'{body}.{binding}')}"


async def consume(
    secret: str, state: str, binding: str, kv: KeyValue, now: float | None = None
) -> None:
    nonce, _, rest = state.partition(".")
    expiry, _, mac = rest.partition(".")
    body = f"{nonce}.{expiry}"
    if not (nonce and expiry.isdigit() and binding
            and hmac.compare_digest(mac, _mac(secret, f"{body}.{binding}"))):
        raise BadRequest("授权请求无效，请在发起登录的同一浏览器中重新进入页面",
                         code="OAUTH_STATE_INVALID")
    if int(expiry) < (now or time.time()):
        raise BadRequest("授权已过期，请重新进入页面", code="OAUTH_STATE_EXPIRED")
    if not await kv.set(f"oauth-state:{nonce}", "1", ex=TTL_SECONDS + 60, nx=True):
        raise BadRequest("授权请求已使用，请重新进入页面", code="OAUTH_STATE_USED")
