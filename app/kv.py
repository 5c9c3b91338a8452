"""The key-value layer workers share: Redis when ``ZSB_REDIS_URL`` is set, in-process otherwise.

Both implement ``KeyValue``. The in-process store serves one process only; the app refuses to
start several workers on it (see ``app/server.py``). Keys are given without the prefix; the
store adds ``ZSB_KV_PREFIX``.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator
from typing import Protocol

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError


class LockNotAcquired(Exception):
    pass


class KeyValue(Protocol):
    async def get(self, key: str) -> str | None: ...

    async def set(
        self, key: str, value: str, *, ex: float | None = None, nx: bool = False
    ) -> bool: ...

    async def delete(self, *keys: str) -> int: ...

    async def incr(self, key: str, *, ex: float | None = None) -> int:
        """Increment; when the key is new, give it ``ex`` seconds to live."""
        ...

    async def ttl(self, key: str) -> float | None: ...

    async def getdel(self, key: str) -> str | None: ...

    async def publish(self, channel: str, message: str) -> None: ...

    def subscribe(self, channel: str) -> AsyncIterator[str]: ...

    def lock(
        self, name: str, *, timeout: float = 10, wait: float = 5
    ) -> contextlib.AbstractAsyncContextManager[None]: ...

    async def ping(self) -> bool: ...

    async def close(self) -> None: ...

    async def expire_if(self, key: str, token: str, ex: float) -> bool:
        """Set ``key``'s time to live to ``ex`` seconds if it still holds ``token``
        (a lease holder keeping, or shortening, its lease)."""
        ...

    async def delete_if(self, key: str, token: str) -> bool:
        """Delete ``key`` if it still holds ``token`` (a lease holder giving it up)."""
        ...


class MemoryKV:
    """Single-process store with expiry; pub/sub through asyncio queues."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[str, float | None]] = {}
        self._subs: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)

    def _live(self, key: str) -> tuple[str, float | None] | None:
        item = self._data.get(key)
        if item is None:
            return None
        if item[1] is not None and item[1] <= time.monotonic():
            del self._data[key]
            return None
        return item

    async def get(self, key: str) -> str | None:
        item = self._live(key)
        return item[0] if item else None

    async def set(self, key: str, value: str, *, ex: float | None = None, nx: bool = False) -> bool:
        if nx and self._live(key) is not None:
            return False
        self._data[key] = (value, time.monotonic() + ex if ex else None)
        return True

    async def delete(self, *keys: str) -> int:
        return sum(1 for k in keys
                   if self._live(k) is not None and self._data.pop(k, None) is not None)

    async def incr(self, key: str, *, ex: float | None = None) -> int:
        item = self._live(key)
        if item is None:
            self._data[key] = ("1", time.monotonic() + ex if ex else None)
            return 1
        value = int(item[0]) + 1
        self._data[key] = (str(value), item[1])
        return value

    async def ttl(self, key: str) -> float | None:
        item = self._live(key)
        if item is None or item[1] is None:
            return None
        return max(0.0, item[1] - time.monotonic())

    async def getdel(self, key: str) -> str | None:
        item = self._live(key)
        self._data.pop(key, None)
        return item[0] if item else None

    async def publish(self, channel: str, message: str) -> None:
        for queue in list(self._subs.get(channel, ())):
            queue.put_nowait(message)

    async def subscribe(self, channel: str) -> AsyncIterator[str]:
        queue: asyncio.Queue[str] = asyncio.Queue()
        self._subs[channel].add(queue)
        try:
            while True:
                yield await queue.get()
        finally:
            self._subs[channel].discard(queue)

    @contextlib.asynccontextmanager
    async def lock(self, name: str, *, timeout: float = 10, wait: float = 5) -> AsyncIterator[None]:
        token = uuid.uuid4().hex
        deadline = time.monotonic() + wait
        while not await self.set(f"lock:{name}", token, ex=timeout, nx=True):
            if time.monotonic() >= deadline:
                raise LockNotAcquired(name)
            await asyncio.sleep(0.01)
        try:
            yield
        finally:
            if await self.get(f"lock:{name}") == token:
                await self.delete(f"lock:{name}")

    async def expire_if(self, key: str, token: str, ex: float) -> bool:
        item = self._live(key)
        if item is None or item[0] != token:
            return False
        self._data[key] = (token, time.monotonic() + ex)
        return True

    async def delete_if(self, key: str, token: str) -> bool:
        item = self._live(key)
        if item is None or item[0] != token:
            return False
        del self._data[key]
        return True

    async def ping(self) -> bool:
        return True

    async def close(self) -> None:
        self._data.clear()


MAX_CONNECTIONS = 512


# compare-and-act in one step on the server (a lease that expired and was taken by another
# worker between a GET and a PEXPIRE/DEL must not be touched)
_EXPIRE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""
_DELETE_IF = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class RedisKV:
    def __init__(self, url: str, prefix: str = "zsb:", *, timeout: float = 0.5) -> None:
        # redis-py's default pool holds 100 connections: a batch of live-push publishes plus
        # the long-lived subscriptions (SSE streams, dispatcher wake-ups) can need more.
        # Commands time out after ``timeout`` and are not retried on a timeout (redis-py's
        # default is three retries with backoff), only once on a broken connection (a pooled
        # one found dead after a Redis restart): a frozen Redis costs a request about
        # ``timeout``, not several seconds.
        self.redis = aioredis.from_url(
            url, decode_responses=True, health_check_interval=30, max_connections=MAX_CONNECTIONS,
            socket_timeout=timeout, socket_connect_timeout=timeout,
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        )
        # subscriptions wait for messages without a read timeout, on connections of their own
        self.listener = aioredis.from_url(
            url, decode_responses=True, health_check_interval=30, max_connections=MAX_CONNECTIONS,
            socket_connect_timeout=timeout, socket_keepalive=True,
        )
        self.prefix = prefix

    def _k(self, key: str) -> str:
        return self.prefix + key

    async def get(self, key: str) -> str | None:
        return await self.redis.get(self._k(key))  # type: ignore[return-value]  # decode_responses

    async def set(self, key: str, value: str, *, ex: float | None = None, nx: bool = False) -> bool:
        px = int(ex * 1000) if ex else None
        return bool(await self.redis.set(self._k(key), value, px=px, nx=nx))

    async def delete(self, *keys: str) -> int:
        if not keys:
            return 0
        return int(await self.redis.delete(*(self._k(k) for k in keys)))

    async def incr(self, key: str, *, ex: float | None = None) -> int:
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.incr(self._k(key))
            if ex:
                pipe.pexpire(self._k(key), int(ex * 1000), nx=True)
            result = await pipe.execute()
        return int(result[0])

    async def ttl(self, key: str) -> float | None:
        ms = await self.redis.pttl(self._k(key))
        return ms / 1000 if ms and ms > 0 else None

    async def getdel(self, key: str) -> str | None:
        return await self.redis.getdel(self._k(key))  # type: ignore[return-value]  # as get

    async def publish(self, channel: str, message: str) -> None:
        await self.redis.publish(self._k(channel), message)

    async def subscribe(self, channel: str) -> AsyncIterator[str]:
        pubsub = self.listener.pubsub(ignore_subscribe_messages=True)
        await pubsub.subscribe(self._k(channel))
        try:
            async for msg in pubsub.listen():
                if msg.get("type") == "message":
                    yield msg["data"]
        finally:
            await pubsub.unsubscribe()
            await pubsub.aclose()

    @contextlib.asynccontextmanager
    async def lock(self, name: str, *, timeout: float = 10, wait: float = 5) -> AsyncIterator[None]:
        lock = self.redis.lock(self._k(f"lock:{name}"), timeout=timeout, blocking_timeout=wait)
        if not await lock.acquire():
            raise LockNotAcquired(name)
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                await lock.release()

    async def expire_if(self, key: str, token: str, ex: float) -> bool:
        done = await self.redis.eval(_EXPIRE_IF, 1, self._k(key), token, int(ex * 1000))
        return bool(done)

    async def delete_if(self, key: str, token: str) -> bool:
        return bool(await self.redis.eval(_DELETE_IF, 1, self._k(key), token))

    async def ping(self) -> bool:
        return bool(await self.redis.ping())

    async def close(self) -> None:
        await self.redis.aclose()
        await self.listener.aclose()


def open_kv(redis_url: str | None, prefix: str, *, timeout: float = 0.5) -> KeyValue:
    return RedisKV(redis_url, prefix, timeout=timeout) if redis_url else MemoryKV()
