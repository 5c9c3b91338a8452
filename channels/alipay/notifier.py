"""The ``alipay_subscribe`` notifier: mini-program subscription messages
(``alipay.open.app.mini.templatemessage.send``), only against a consent the user gave.

A one-time consent is spent by the send that uses it and given back when the send failed in a
way worth retrying; without a consent nothing is sent and the outcome is PERMANENT with
raw_code ``no_consent`` so the pipeline falls through to the next channel. Alipay returns no
message id for this API, so ``platform_message_id`` stays empty.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp

from app.interfaces import DeliveryOutcome, OutboundMessage, SendResult
from app.kv import KeyValue
from app.links import h5_url
from app.settings import Settings

from . import subscriptions
from .client import AlipayClient
from .errors import AlipayFinalError, AlipayRetryableError, SubCode

NO_CONSENT = "no_consent"
# Alipay's answers meaning "this user holds no subscription for the template"
_CONSENT_GONE = frozenset({SubCode.NO_SUBSCRIPTION, SubCode.TEMPLATE_ILLEGAL})


def mini_page(settings: Settings, link: str | None) -> str | None:
    """The mini-program page a message opens. Our links are pages of the H5 (``/cases/17``),
    which a mini-program shows inside its web-view page (``ZSB_ALIPAY_WEBVIEW_PAGE``, given the
    absolute address as ``url``); a mini-program page of its own (``pages/…``) is kept."""
    if not link:
        return None
    if not link.startswith(("/", "https://", "http://")):
        return link
    return f"{settings.alipay_webview_page}?url={quote(h5_url(settings, link), safe='')}"


def _values(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v if isinstance(v, dict) else {"value": str(v)} for k, v in data.items()}


class AlipaySubscribeNotifier:
    channel = "alipay_subscribe"

    def __init__(self, client: AlipayClient, default_template: str) -> None:
        self.client = client
        self.default_template = default_template

    async def send(self, message: OutboundMessage) -> SendResult:
        subject = message.recipient
        template_id = message.template_id or self.default_template
        taken = await subscriptions.take(subject, template_id) if subject else None
        if taken is None:
            return SendResult(DeliveryOutcome.PERMANENT, raw_code=NO_CONSENT,
                              detail="用户未订阅该消息模板")
        data = message.data or {"keyword1": message.title[:20], "keyword2": message.body[:100]}
        try:
            await self.client.send_template_message(
                subject, template_id, _values(data),
                page=mini_page(self.client.settings, message.link),
            )
        except AlipayRetryableError as exc:
            await subscriptions.give_back(taken)
            return SendResult(DeliveryOutcome.RETRYABLE, raw_code=exc.sub_code or str(exc.code),
                              detail=str(exc)[:200])
        except AlipayFinalError as exc:
            if exc.sub_code in _CONSENT_GONE:
                await subscriptions.withdraw(subject, template_id)
                return SendResult(DeliveryOutcome.PERMANENT, raw_code=NO_CONSENT,
                                  detail=str(exc)[:200])
            return SendResult(DeliveryOutcome.PERMANENT, raw_code=exc.sub_code or str(exc.code),
                              detail=str(exc)[:200])
        return SendResult(DeliveryOutcome.SENT, raw_code="10000")


def build(settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> AlipaySubscribeNotifier:
    return AlipaySubscribeNotifier(AlipayClient(settings, http), settings.alipay_template_id)
