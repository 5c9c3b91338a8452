"""access_token and jsapi_ticket shared by every worker through the key-value store.

The value lives in kv until shortly before WeChat's ``expires_in``; one worker at a time
refreshes it under ``kv.lock``, the others wait for the lock and then read what it stored.
After an API answers 40001/40014/42001 the caller asks for a forced refresh, passing the stale
value so that a token another worker has just replaced is not fetched a second time.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

import aiohttp

from app.kv import KeyValue
from app.settings import Settings
from channels.wechat.errors import WeChatError, WeChatRetryableError
from channels.wechat.transport import request_json

log = logging.getLogger("zsb.wechat")

EARLY_REFRESH_SECONDS = 300  # refresh this long before WeChat's expiry
Fetch = Callable[[bool], Awaitable[tuple[str, int]]]


class CachedCredential:
    def __init__(self, kv: KeyValue, key: str, fetch: Fetch) -> None:
        self.kv = kv
        self.key = key
        self._fetch = fetch
        # one coroutine per process queues on the shared lock; the others wait here, then read
        self._local = asyncio.Lock()

    async def get(self, *, stale: str | None = None) -> str:
        """The current value; with ``stale``, a value other than that one."""
        value = await self.kv.get(self.key)
        if value and value != stale:
            return value
        async with self._local:
            value = await self.kv.get(self.key)
            if value and value != stale:
                return value
            return await self._refresh(stale)

    async def _refresh(self, stale: str | None) -> str:
        async with self.kv.lock(f"{self.key}:refresh", timeout=15, wait=15):
            value = await self.kv.get(self.key)
            if value and value != stale:
                return value  # another worker refreshed while we waited
            value, expires_in = await self._fetch(stale is not None)
            if stale is not None and value == stale:
                value, expires_in = await self._fetch(True)
            ttl = max(60, expires_in - EARLY_REFRESH_SECONDS)
            await self.kv.set(self.key, value, ex=ttl)
            log.info("wechat credential refreshed", extra={"key": self.key, "ttl": ttl})
            return value

    async def forget(self) -> None:
        await self.kv.delete(self.key)


def access_token(settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> CachedCredential:
    base = settings.wechat_api_base.rstrip("/")
    secret = settings.wechat_secret.get_secret_value()

    async def fetch(force: bool) -> tuple[str, int]:
        # stable_token first: fetching it does not invalidate tokens other holders use
        try:
            data = await request_json(
                http,
                "POST",
                f"{base}/cgi-bin/stable_token",
                time_limit=settings.http_timeout,
                body={
                    "grant_type": "client_credential",
                    "appid": settings.wechat_appid,
                    "secret": secret,
                    "force_refresh": force,
                },
            )
        except WeChatError as exc:
            log.warning("stable_token refused, using cgi-bin/token", extra={"errcode": exc.errcode})
            data = await request_json(
                http,
                "GET",
                f"{base}/cgi-bin/token",
                time_limit=settings.http_timeout,
                params={
                    "grant_type": "client_credential",
                    "appid": settings.wechat_appid,
                    "secret": secret,
                },
            )
        return credential_value(data, "access_token")

    return CachedCredential(kv, f"wechat:{settings.wechat_appid}:access_token", fetch)


def credential_value(data: dict[str, object], name: str) -> tuple[str, int]:
    value = data.get(name)
    if not isinstance(value, str) or not value:
        raise WeChatRetryableError(f"wechat answered no {name}")
    return value, int(str(data.get("expires_in") or 7200))
