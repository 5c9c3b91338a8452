"""亮证: showing a licence by a QR code that holds for a short time (``ZSB_LICENCE_SHOW_SECONDS``,
60 s by default). The token names the licence and the person showing it, with an expiry, under
an HMAC of ``ZSB_LICENCE_SHOW_SECRET``; a verifier scanning it reaches ``/verify/show/<token>``,
where the licence is fetched afresh and shown masked — genuine, and shown by its holder now.

A signed token rather than a stored one: nothing to clean up, and showing costs no write.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from typing import Any

from app import clock
from app.certificates.content import b64d, b64e
from app.documents import qr
from app.errors import ApiError
from app.interfaces import LicenceLibrary
from app.licences import wallet
from app.settings import get_settings

PREFIX = b"ZSB-SHOW-1\n"


class LicenceNotUsable(ApiError):
    status = 409
    code = "LICENCE_NOT_VALID"
    message = "该证照已过期或已注销，不能亮证"


def _mac(body: str) -> str:
    secret = get_settings().licence_show_secret.get_secret_value().encode()
    return b64e(hmac.new(secret, PREFIX + body.encode(), hashlib.sha256).digest())


async def show(person_id: int, wallet_id: str, library: LicenceLibrary) -> dict[str, Any]:
    held = await wallet.resolve(person_id, wallet_id, library)
    if not held.record.valid_on(clock.local(clock.now()).date()):
        raise LicenceNotUsable()
    expires = int(time.time()) + get_settings().licence_show_seconds
    body = b64e(json.dumps({"l": wallet_id, "p": person_id, "e": expires,
                            "n": secrets.token_hex(4)}, separators=(",", ":")).encode())
    token = f"{body}.{_mac(body)}"
    url = f"{get_settings().public_base_url.rstrip('/')}/verify/show/{token}"
    return {"token": token, "qr_text": url,
            "qr_png": "data:image/png;base64," + base64.b64encode(qr.png(url)).decode(),
            "expires_at": clock.iso(clock.from_timestamp(expires)), "seconds": expires - int(
                time.time())}


async def check(token: str, library: LicenceLibrary) -> dict[str, Any]:
    """genuine (with the masked licence), expired, or invalid (forged / garbled)."""
    body, _, mac = token.partition(".")
    if not body or not hmac.compare_digest(_mac(body), mac):
        return {"status": "invalid", "status_label": "亮证码无效", "licence": None}
    try:
        claim = json.loads(b64d(body))
        wallet_id, person_id, expires = str(claim["l"]), int(claim["p"]), int(claim["e"])
    except (ValueError, KeyError, TypeError):
        return {"status": "invalid", "status_label": "亮证码无效", "licence": None}
    if expires < time.time():
        return {"status": "expired", "status_label": "亮证码已过期，请持证人重新亮证",
                "licence": None}
    try:
        held = await wallet.resolve(person_id, wallet_id, library)
    except wallet.LicenceNotFound:
        return {"status": "invalid", "status_label": "证照不存在或已不属于出示人",
                "licence": None}
    today = clock.local(clock.now()).date()
    entry = wallet.view(wallet_id, held.record, held.holder, held.source, today)
    genuine = entry["usable"]
    return {"status": "genuine" if genuine else "not_valid",
            "status_label": "证照真实有效，由持证人本人出示" if genuine else "证照已过期或已注销",
            "expires_at": clock.iso(clock.from_timestamp(expires)), "licence": entry}
