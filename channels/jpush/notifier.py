"""The ``app_push`` notifier: one message to a person's registered app devices via JPush.

``OutboundMessage.recipient`` holds the person's registration ids joined by commas (one
delivery per person, not per device). JPush has no idempotency key, so ours travels in
``extras.zsb_id``: the app shows a message once per id, which makes a resend after a
dispatcher crash harmless to the person.
"""

from __future__ import annotations

import zlib
from typing import Any

import aiohttp

from app.interfaces import DeliveryOutcome, OutboundMessage, ProviderError, SendResult
from app.kv import KeyValue
from app.links import h5_url
from app.settings import Settings
from channels.jpush.client import JPushClient, push_body
from channels.jpush.client import build as build_client


class JPushNotifier:
    channel = "app_push"

    def __init__(self, client: JPushClient, *, apns_production: bool = False,
                 settings: Settings | None = None) -> None:
        self.client = client
        self.apns_production = apns_production
        self.settings = settings  # for the H5 base: the app opens ``link`` in its web view

    async def send(self, message: OutboundMessage) -> SendResult:
        ids = [r for r in message.recipient.split(",") if r]
        if not ids:
            return SendResult(DeliveryOutcome.PERMANENT, raw_code="1011", detail="no device")
        extras: dict[str, Any] = {k: v for k, v in message.data.items() if _scalar(v)}
        if message.link:
            extras["link"] = self._absolute(message.link)
        sendno = None
        if message.idempotency_key:
            extras["zsb_id"] = message.idempotency_key
            sendno = zlib.crc32(message.idempotency_key.encode()) & 0x7FFFFFFF
        body = push_body(ids, message.title, message.body, extras=extras, sendno=sendno,
                         apns_production=self.apns_production)
        try:
            result = await self.client.push(body)
        except ProviderError as exc:
            outcome = DeliveryOutcome.RETRYABLE if exc.retryable else DeliveryOutcome.PERMANENT
            return SendResult(outcome, raw_code=str(exc.code), detail=str(exc)[:200])
        return SendResult(DeliveryOutcome.SENT, platform_message_id=result.msg_id, raw_code="0")


    async def send_many(self, messages: list[OutboundMessage]) -> list[SendResult]:
        """One push to every recipient of identical messages (a campaign): JPush takes up to
        1,000 registration ids per audience and drops the ones it does not know, so the group
        answers as one — sent with one msg_id, or failed together."""
        first = messages[0]
        if any((m.title, m.body, m.link, m.idempotency_key) !=
               (first.title, first.body, first.link, first.idempotency_key) for m in messages):
            return [await self.send(m) for m in messages]
        ids = sorted({r for m in messages for r in m.recipient.split(",") if r})
        result = await self.send(OutboundMessage(
            recipient=",".join(ids), title=first.title, body=first.body, link=first.link,
            idempotency_key=first.idempotency_key))
        return [result] * len(messages)


    def _absolute(self, link: str) -> str:
        return h5_url(self.settings, link) if self.settings is not None else link


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def build(settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> JPushNotifier:
    production = settings.jpush_apns_production
    if production is None:
        production = settings.env == "production"
    return JPushNotifier(build_client(settings, http, kv), apns_production=production,
                         settings=settings)
