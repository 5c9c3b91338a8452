"""SMS platform client (dysmsapi ``SendSms`` protocol): one-time codes and notices."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

import aiohttp

from app.interfaces import RetryableProviderError
from app.kv import KeyValue
from app.settings import Settings
from channels.sms import signing
from channels.sms.errors import raise_for


class SmsClient:
    """https://help.aliyun.com/document_detail/419273.html (SendSms)"""

    def __init__(self, settings: Settings, http: aiohttp.ClientSession) -> None:
        self.base = settings.sms_api_base.rstrip("/")
        self.access_key = settings.sms_app_id
        self.secret = settings.sms_app_secret.get_secret_value()
        self.sign_name = settings.sms_sign_name
        self.otp_template = settings.sms_otp_template
        self.notice_template = settings.sms_notice_template
        self.http = http

    async def send(
        self, phone: str, template: str, params: dict[str, Any], out_id: str | None = None
    ) -> str:
        """Send one templated message; answer the platform's BizId."""
        query = {
            "AccessKeyId": self.access_key,
            "Action": "SendSms",
            "Format": "JSON",
            "PhoneNumbers": phone,
            "RegionId": "cn-hangzhou",
            "SignName": self.sign_name,
            "SignatureMethod": "HMAC-SHA1",
            "SignatureNonce": uuid.uuid4().hex,
            "SignatureVersion": "1.0",
            "TemplateCode": template,
            "TemplateParam": json.dumps(params, ensure_ascii=False, separators=(",", ":")),
            "Timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "Version": "2017-05-25",
        }
        if out_id:
            query["OutId"] = out_id
        query["Signature"] = signing.sign("POST", query, self.secret)
        try:
            async with self.http.post(self.base + "/", data=query) as resp:
                if resp.status >= 500:
                    raise RetryableProviderError(f"SMS platform HTTP {resp.status}")
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise RetryableProviderError(f"SMS platform unreachable: {exc!r}") from exc
        raise_for(str(data.get("Code")), str(data.get("Message")), data)
        return str(data.get("BizId", ""))

    async def send_code(self, phone: str, code: str, ttl_minutes: int) -> str:
        return await self.send(phone, self.otp_template, {"code": code, "minutes": ttl_minutes})

    async def send_notice(
        self, phone: str, params: dict[str, Any], out_id: str | None = None
    ) -> str:
        return await self.send(phone, self.notice_template, params, out_id)


def build(settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> SmsClient:
    return SmsClient(settings, http)
