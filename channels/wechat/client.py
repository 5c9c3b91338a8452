"""The outbound WeChat official account API client (one per process, built by ``build``).

Every call carries the shared access_token; when WeChat answers 40001 / 40014 / 42001 the token
is refreshed once and the call retried once. Areas live in their own modules: ``menu``,
``jssdk``, ``login`` (web OAuth); message sending is here.
"""

from __future__ import annotations

from typing import Any

import aiohttp

from app.kv import KeyValue
from app.settings import Settings
from channels.wechat.errors import TOKEN_ERRCODES, WeChatRetryableError
from channels.wechat.jssdk import JsSdk
from channels.wechat.login import WeChatOAuthLogin
from channels.wechat.menu import MenuApi
from channels.wechat.token import access_token
from channels.wechat.transport import request_json


class WeChatClient:
    def __init__(self, settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> None:
        self.settings = settings
        self.http = http
        self.kv = kv
        self.base = settings.wechat_api_base.rstrip("/")
        self.token = access_token(settings, http, kv)
        self.menu = MenuApi(self)
        self.jssdk = JsSdk(self, kv)
        self.oauth = WeChatOAuthLogin(settings, http)

    async def call(
        self,
        method: str,
        path: str,
        *,
        params: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Call ``path`` (e.g. ``/cgi-bin/menu/get``) with the access_token; errcodes raised."""
        token = await self.token.get()
        for attempt in (1, 2):
            try:
                return await request_json(
                    self.http,
                    method,
                    self.base + path,
                    time_limit=self.settings.http_timeout,
                    params={**(params or {}), "access_token": token},
                    body=body,
                )
            except WeChatRetryableError as exc:
                if attempt == 1 and exc.errcode in TOKEN_ERRCODES:
                    token = await self.token.get(stale=token)
                    continue
                raise
        raise AssertionError("unreachable")

    async def send_template(
        self,
        openid: str,
        template_id: str,
        data: dict[str, Any],
        *,
        url: str | None = None,
        client_msg_id: str | None = None,
    ) -> int:
        """Template message; answers the msgid that TEMPLATESENDJOBFINISH will carry.

        https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Template_Message_Interface.html
        """
        body: dict[str, Any] = {"touser": openid, "template_id": template_id, "data": data}
        if url:
            body["url"] = url
        if client_msg_id:
            body["client_msg_id"] = client_msg_id[:64]
        answer = await self.call("POST", "/cgi-bin/message/template/send", body=body)
        return int(answer.get("msgid") or 0)

    async def send_subscribe(
        self, openid: str, template_id: str, data: dict[str, Any], *, page: str | None = None
    ) -> dict[str, Any]:
        """Subscribe notification (订阅通知) of a service account.

        https://developers.weixin.qq.com/doc/offiaccount/Subscription_Messages/api.html
        """
        body: dict[str, Any] = {"touser": openid, "template_id": template_id, "data": data}
        if page:
            body["page"] = page
        return await self.call("POST", "/cgi-bin/message/subscribe/bizsend", body=body)


def build(settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> WeChatClient:
    return WeChatClient(settings, http, kv)
