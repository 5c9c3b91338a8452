"""WeChat web OAuth2 (网页授权) as the core's ``LoginProvider``.

https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/Wechat_webpage_authorization.html
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp

from app.interfaces import PlatformIdentity
from app.kv import KeyValue
from app.settings import Settings
from channels.wechat.errors import WeChatErrcode, WeChatError
from channels.wechat.transport import request_json

SCOPES = ("snsapi_base", "snsapi_userinfo")


class WeChatOAuthLogin:
    channel = "wechat"

    def __init__(self, settings: Settings, http: aiohttp.ClientSession) -> None:
        self.settings = settings
        self.http = http

    def authorize_url(self, redirect_uri: str, scope: str = "snsapi_base", state: str = "") -> str:
        """The page to send the user to; WeChat insists on this parameter order."""
        if scope not in SCOPES:
            raise ValueError(f"scope must be one of {SCOPES}")
        return (
            f"{self.settings.wechat_open_base.rstrip('/')}/connect/oauth2/authorize"
            f"?appid={self.settings.wechat_appid}"
            f"&redirect_uri={quote(redirect_uri, safe='')}"
            f"&response_type=code&scope={scope}&state={quote(state, safe='')}"
            "#wechat_redirect"
        )

    async def identify(self, credential: dict[str, Any]) -> PlatformIdentity:
        """Exchange the single-use ``code`` for openid (and unionid with snsapi_userinfo)."""
        code = str(credential.get("code") or "").strip()
        if not code or len(code) > 128:
            raise WeChatError(WeChatErrcode.INVALID_CODE, "invalid code")
        answer = await request_json(
            self.http,
            "GET",
            f"{self.settings.wechat_api_base.rstrip('/')}/sns/oauth2/access_token",
            time_limit=self.settings.http_timeout,
            params={
                "appid": self.settings.wechat_appid,
                "secret": self.settings.wechat_secret.get_secret_value(),
                "code": code,
                "grant_type": "authorization_code",
            },
        )
        openid = answer.get("openid")
        if not isinstance(openid, str) or not openid:
            raise WeChatError(WeChatErrcode.INVALID_CODE, "no openid in answer")
        return PlatformIdentity(
            channel=self.channel,
            subject=openid,
            union_id=answer.get("unionid") or None,
            extra={
                "scope": answer.get("scope", ""),
                "is_snapshotuser": bool(answer.get("is_snapshotuser")),
            },
        )


def build(settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> WeChatOAuthLogin:
    return WeChatOAuthLogin(settings, http)
