"""Alipay mini-program login: ``my.getAuthCode`` → ``alipay.system.oauth.token`` → user_id /
open_id; and ``alipay.user.info.share`` for the certified identity (the L2 real-name path).

Docs: opendocs.alipay.com/mini/api/openapi-authorize, opendocs.alipay.com/open/02xtl8.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from app.interfaces import PlatformIdentity
from app.kv import KeyValue
from app.settings import Settings

from .client import AlipayClient
from .errors import AlipayAuthCodeInvalid, AlipayFinalError

SHARED_FIELDS = ("user_id", "open_id", "nick_name", "avatar", "is_certified", "cert_type",
                 "cert_no", "user_name", "mobile", "gender", "province", "city")


class AlipayLogin:
    channel = "alipay"

    def __init__(self, client: AlipayClient) -> None:
        self.client = client

    async def identify(self, credential: dict[str, Any]) -> PlatformIdentity:
        """``{"auth_code": …}`` → the Alipay account. Raises ``AlipayAuthCodeInvalid``
        (sub_code ``isv.code-invalid``) for an unknown, expired or reused code."""
        code = str(credential.get("auth_code") or "").strip()
        if not code or len(code) > 128:
            raise AlipayAuthCodeInvalid("missing or malformed auth_code",
                                        sub_code="isv.code-invalid")
        body = await self.client.oauth_token(code)
        subject = body.get("user_id") or body.get("open_id")
        if not subject:
            raise AlipayFinalError("alipay oauth token answer names no user", raw=body)
        return PlatformIdentity(
            channel=self.channel,
            subject=str(subject),
            union_id=body.get("union_id"),
            extra={
                "access_token": body.get("access_token"),
                "refresh_token": body.get("refresh_token"),
                "expires_in": body.get("expires_in"),
                "user_id": body.get("user_id"),
                "open_id": body.get("open_id"),
            },
        )

    async def share_user_info(self, access_token: str) -> dict[str, Any]:
        """The user's shared profile. ``is_certified`` is True only for Alipay's "T";
        ``cert_no`` / ``user_name`` are present only with the special permission. Personal
        data: never log the answer."""
        body = await self.client.user_info_share(access_token)
        info = {k: body.get(k) for k in SHARED_FIELDS}
        info["is_certified"] = body.get("is_certified") == "T"
        # cert_type "0" is the resident ID card; other documents cannot prove an ID number
        info["is_id_card"] = body.get("cert_type", "0") == "0"
        return info


def build(settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> AlipayLogin:
    return AlipayLogin(AlipayClient(settings, http))
