"""One-time codes for the app channel's phone login.

Six digits, single use, valid five minutes, resend after 60 s, the phone locked for a while
after five wrong tries, and rate limits per phone and per client IP. Codes live in kv as an
HMAC, never in clear.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets

from app.errors import BadRequest, TooManyRequests, UpstreamUnavailable, ValidationFailed
from app.interfaces import ProviderError, SmsSender
from app.kv import KeyValue
from app.security import pii
from app.settings import Settings

PHONE = re.compile(r"^1[3-9]\d{9}$")
LOCK_SECONDS = 15 * 60


def check_phone(phone: str) -> str:
    phone = phone.strip()
    if not PHONE.match(phone):
        raise ValidationFailed(fields={"phone": "请输入正确的手机号"})
    return phone


def _code_mac(settings: Settings, phone_key: str, code: str) -> str:
    key = settings.pii_index_key.get_secret_value().encode()
    return hmac.new(key, f"otp:{phone_key}:{code}".encode(), hashlib.sha256).hexdigest()


async def send_code(
    kv: KeyValue, sms: SmsSender, settings: Settings, phone: str, client_ip: str
) -> int:
    """Send a fresh code; answer the seconds until another may be sent."""
    phone = check_phone(phone)
    key = pii.blind_index(phone, "phone")
    if await kv.get(f"otp-lock:{key}"):
        raise TooManyRequests("验证码错误次数过多，请稍后再试", code="OTP_LOCKED",
                              retry_after=LOCK_SECONDS)
    if not await kv.set(f"otp-resend:{key}", "1", ex=settings.otp_resend_seconds, nx=True):
        wait = int(await kv.ttl(f"otp-resend:{key}") or settings.otp_resend_seconds)
        raise TooManyRequests(
            f"请{wait}秒后再获取验证码", code="OTP_RESEND_TOO_SOON", fields={"retry_after": wait},
            retry_after=wait,
        )
    if await kv.incr(f"otp-rate-phone:{key}", ex=3600) > settings.otp_per_phone_per_hour:
        raise TooManyRequests("该手机号获取验证码过于频繁", code="OTP_RATE_LIMITED",
                              retry_after=3600)
    if await kv.incr(f"otp-rate-ip:{client_ip}", ex=3600) > settings.otp_per_ip_per_hour:
        raise TooManyRequests("获取验证码过于频繁", code="OTP_RATE_LIMITED", retry_after=3600)
    code = f"{secrets.randbelow(10**6):06d}"
    record = {"mac": _code_mac(settings, key, code), "attempts": 0}
    await kv.set(f"otp:{key}", json.dumps(record), ex=settings.otp_ttl_seconds)
    try:
        await sms.send_code(phone, code, settings.otp_ttl_seconds // 60)
    except ProviderError as exc:
        await kv.delete(f"otp:{key}", f"otp-resend:{key}")
        raise UpstreamUnavailable("短信发送失败，请稍后再试", code="SMS_SEND_FAILED") from exc
    return settings.otp_resend_seconds


async def verify_code(kv: KeyValue, settings: Settings, phone: str, code: str) -> str:
    """Check and spend a code; answer the normalised phone."""
    phone = check_phone(phone)
    key = pii.blind_index(phone, "phone")
    if await kv.get(f"otp-lock:{key}"):
        raise TooManyRequests("验证码错误次数过多，请稍后再试", code="OTP_LOCKED",
                              retry_after=LOCK_SECONDS)
    # one verifier at a time per phone, so two guesses cannot both read attempts=4
    async with kv.lock(f"otp-verify:{key}", timeout=5, wait=5):
        raw = await kv.get(f"otp:{key}")
        if raw is None:
            raise BadRequest("验证码已失效，请重新获取", code="OTP_EXPIRED")
        record = json.loads(raw)
        if hmac.compare_digest(record["mac"], _code_mac(settings, key, code.strip())):
            await kv.delete(f"otp:{key}")
            return phone
        record["attempts"] += 1
        if record["attempts"] >= settings.otp_max_attempts:
            await kv.delete(f"otp:{key}")
            await kv.set(f"otp-lock:{key}", "1", ex=LOCK_SECONDS)
            raise TooManyRequests("验证码错误次数过多，请稍后再试", code="OTP_LOCKED",
                              retry_after=LOCK_SECONDS)
        ttl = await kv.ttl(f"otp:{key}") or settings.otp_ttl_seconds
        await kv.set(f"otp:{key}", json.dumps(record), ex=ttl)
    left = settings.otp_max_attempts - record["attempts"]
    raise BadRequest(
        f"验证码不正确，还可尝试{left}次", code="OTP_INVALID", fields={"attempts_left": left}
    )
