"""JS-SDK ``wx.config`` signatures, with the jsapi_ticket cached like the access_token.

https://developers.weixin.qq.com/doc/offiaccount/OA_Web_Apps/JS-SDK.html (附录1 签名算法)
"""

from __future__ import annotations

import hashlib
import secrets
import string
import time
from typing import TYPE_CHECKING

from app.kv import KeyValue
from channels.wechat.token import CachedCredential, credential_value

if TYPE_CHECKING:
    from channels.wechat.client import WeChatClient

_NONCE_ALPHABET = string.ascii_letters + string.digits


def signature(ticket: str, nonce_str: str, timestamp: int, url: str) -> str:
    """sha1 over the four fields in ASCII order; the URL without its #fragment."""
    url = url.split("#", 1)[0]
    raw = f"jsapi_ticket={ticket}&noncestr={nonce_str}&timestamp={timestamp}&url={url}"
    return hashlib.sha1(raw.encode()).hexdigest()  # noqa: S324 - WeChat's algorithm


class JsSdk:
    def __init__(self, client: WeChatClient, kv: KeyValue) -> None:
        self.client = client

        async def fetch(force: bool) -> tuple[str, int]:
            answer = await client.call("GET", "/cgi-bin/ticket/getticket", params={"type": "jsapi"})
            return credential_value(answer, "ticket")

        self.ticket = CachedCredential(
            kv, f"wechat:{client.settings.wechat_appid}:jsapi_ticket", fetch
        )

    async def config(self, url: str) -> dict[str, str | int]:
        """What ``wx.config`` needs for the H5 page at ``url``."""
        ticket = await self.ticket.get()
        nonce = "".join(secrets.choice(_NONCE_ALPHABET) for _ in range(16))
        timestamp = int(time.time())
        return {
            "appId": self.client.settings.wechat_appid,
            "timestamp": timestamp,
            "nonceStr": nonce,
            "signature": signature(ticket, nonce, timestamp, url),
        }
