"""The ``sms`` notifier: the paid fallback for critical notices (``SendSms`` notice template).

Our idempotency key travels as ``OutId`` so a resend after a crash can be matched in the
platform's delivery report.
"""

from __future__ import annotations

import aiohttp

from app.interfaces import DeliveryOutcome, OutboundMessage, ProviderError, SendResult
from app.kv import KeyValue
from app.security.pii import mask_phone
from app.settings import Settings
from channels.sms.client import SmsClient


class SmsNotifier:
    channel = "sms"

    def __init__(self, client: SmsClient) -> None:
        self.client = client

    async def send(self, message: OutboundMessage) -> SendResult:
        params = {"title": message.title, "body": message.body[:300]}
        try:
            biz_id = await self.client.send_notice(
                message.recipient, params, out_id=message.idempotency_key
            )
        except ProviderError as exc:
            outcome = DeliveryOutcome.RETRYABLE if exc.retryable else DeliveryOutcome.PERMANENT
            # the number must not reach the stored detail, whatever the platform echoes
            detail = str(exc).replace(message.recipient, mask_phone(message.recipient) or "")
            return SendResult(outcome, raw_code=str(exc.code), detail=detail[:200])
        return SendResult(DeliveryOutcome.SENT, platform_message_id=biz_id, raw_code="OK")


def build(settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> SmsNotifier:
    return SmsNotifier(SmsClient(settings, http))
