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

from app.kv import KeyValue, LockNotAcquired
from app.settings import Settings
from channels.wechat.errors import WeChatError, WeChatRetryableError
from channels.wechat.transport import request_json

log = logging.getLogger("zsb.wechat")

EARLY_REFRESH_SECONDS = 300  # refresh this long before WeChat's expiry
# the refresh lock outlives a fetch (stable_token, then cgi-bin/token, each up to http_timeout)
LOCK_LEASE_SECONDS = 60
Fetch = Callable[[bool], Awaitable[tuple[str, int]]]


class CachedCredential:
    lock_wait = 15.0  # how long a caller waits for another worker's refresh

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
        try:
            lock = self.kv.lock(
                f"{self.key}:refresh", timeout=LOCK_LEASE_SECONDS, wait=self.lock_wait
            )
            async with lock:
                return await self._refresh_locked(stale)
        except LockNotAcquired as exc:
            raise WeChatRetryableError(f"{self.key} refresh is held by another worker") from exc

    async def _refresh_locked(self, stale: str | None) -> str:
        value = await self.kv.get(self.key)
        if value and value != stale:
            return value  # another worker refreshed while we waited
        # force mode invalidates the token for every holder and is rationed (20 a day):
        # asked for only when the normal fetch gives the refused value back
        value, expires_in = await self._fetch(False)
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
    try:
        expires_in = int(str(data.get("expires_in") or 7200))
    except ValueError:
        raise WeChatRetryableError(f"wechat answered an unreadable expires_in for {name}") from None
    return value, expires_in
