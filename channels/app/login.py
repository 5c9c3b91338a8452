"""The app channel's login: phone number + SMS one-time code."""

from __future__ import annotations

from typing import Any

import aiohttp

from app.identity import otp
from app.interfaces import PlatformIdentity
from app.kv import KeyValue
from app.settings import Settings


class AppOtpLogin:
    channel = "app"

    def __init__(self, settings: Settings, kv: KeyValue) -> None:
        self.settings = settings
        self.kv = kv

    async def identify(self, credential: dict[str, Any]) -> PlatformIdentity:
        phone = await otp.verify_code(
            self.kv, self.settings, str(credential["phone"]), str(credential["code"])
        )
        return PlatformIdentity(channel="app", subject=phone)


def build(settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> AppOtpLogin:
    return AppOtpLogin(settings, kv)
