"""WeChat notifiers for the push pipeline: template messages and subscribe notifications.

A template message is not sent to someone known to have unfollowed (43004 without calling
WeChat); a subscribe notification only against a consent, which a one-time consent pays for.
Outcomes follow the errcode: busy, quota, token trouble, 5xx and network are retryable; the
rest is final.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

from app.interfaces import DeliveryOutcome, OutboundMessage, ProviderError, SendResult
from app.kv import KeyValue
from app.links import maybe_h5_url
from app.settings import Settings
from channels.wechat import store
from channels.wechat.client import WeChatClient
from channels.wechat.errors import WeChatErrcode

log = logging.getLogger("zsb.wechat")


def _values(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, dict) else {"value": str(v)} for k, v in data.items()}


def _failure(exc: ProviderError) -> SendResult:
    outcome = DeliveryOutcome.RETRYABLE if exc.retryable else DeliveryOutcome.PERMANENT
    code = str(exc.code) if exc.code is not None else "network"
    return SendResult(outcome, raw_code=code, detail=str(exc)[:200])


class WeChatTemplateNotifier:
    channel = "wechat_template"

    def __init__(self, client: WeChatClient) -> None:
        self.client = client

    async def send(self, message: OutboundMessage) -> SendResult:
        openid = message.recipient
        if await store.has_unfollowed(openid):
            return SendResult(
                DeliveryOutcome.PERMANENT, raw_code="43004", detail="用户未关注公众号"
            )
        data = message.data or {
            "first": message.title,
            "keyword1": message.body,
            "remark": "点击查看详情" if message.link else "如有疑问请回复“帮助”",
        }
        template_id = message.template_id or self.client.settings.wechat_template_id
        try:
            msgid = await self.client.send_template(
                openid,
                template_id,
                _values(data),
                url=maybe_h5_url(self.client.settings, message.link),
                client_msg_id=message.idempotency_key,
            )
        except ProviderError as exc:
            if exc.code == WeChatErrcode.REQUIRE_SUBSCRIBE:
                await store.mark_unfollowed(openid)
            return _failure(exc)
        return SendResult(DeliveryOutcome.SENT, platform_message_id=str(msgid), raw_code="0")


def bizsend_key(template_id: str, openid: str) -> str:
    """What a subscribe notification is kept under until its receipt: ``bizsend`` answers no
    msgid, and ``subscribe_msg_sent_event`` names only the openid, the template and a new
    ``MsgID``."""
    return f"bizsend:{template_id}:{openid}"[:128]


class WeChatSubscribeNotifier:
    channel = "wechat_subscribe"

    def __init__(self, client: WeChatClient) -> None:
        self.client = client

    async def send(self, message: OutboundMessage) -> SendResult:
        openid = message.recipient
        template_id = message.template_id or self.client.settings.wechat_subscribe_template_id
        if await store.spend_consent(openid, template_id) is None:
            return SendResult(
                DeliveryOutcome.PERMANENT, raw_code="43101", detail="用户未订阅该消息"
            )
        data = message.data or {"thing1": message.title[:20], "thing2": message.body[:20]}
        try:
            await self.client.send_subscribe(openid, template_id, _values(data),
                                          page=maybe_h5_url(self.client.settings, message.link))
        except ProviderError as exc:
            if exc.code == WeChatErrcode.USER_REFUSED:
                await store.withdraw_consent(openid, template_id)
            else:
                await store.restore_consent(openid, template_id)  # WeChat did not use it
            return _failure(exc)
        return SendResult(
            DeliveryOutcome.SENT, platform_message_id=bizsend_key(template_id, openid),
            raw_code="0",
        )


def build_template(
    settings: Settings, http: aiohttp.ClientSession, kv: KeyValue
) -> WeChatTemplateNotifier:
    return WeChatTemplateNotifier(WeChatClient(settings, http, kv))


def build_subscribe(
    settings: Settings, http: aiohttp.ClientSession, kv: KeyValue
) -> WeChatSubscribeNotifier:
    return WeChatSubscribeNotifier(WeChatClient(settings, http, kv))
