"""Outages of the database or the key-value store: told apart from bugs, answered 503
``SERVICE_UNAVAILABLE`` with ``Retry-After``, and logged once per burst.

A lost connection is not a bug in the request that met it: a traceback per request (hundreds a
second under load) buries the one line an operator needs. ``report`` logs the first failure of
a burst, then a reminder at most every ``REMIND_SECONDS`` while it lasts, and when the next
burst starts, how many failures the previous one counted.
"""

from __future__ import annotations

import logging
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Literal

import asyncpg
import redis.exceptions
from tortoise.exceptions import DBConnectionError

from app.errors import ServiceUnavailable

log = logging.getLogger("zsb.outage")

Dependency = Literal["database", "kv"]
BURST_GAP_SECONDS = 5.0  # failures closer together than this belong to one burst
REMIND_SECONDS = 60.0

_DATABASE: tuple[type[BaseException], ...] = (
    asyncpg.PostgresConnectionError,  # 08xxx: connection lost, refused, broken
    asyncpg.exceptions.OperatorInterventionError,  # 57xxx: shutting down, starting up
    asyncpg.exceptions.TooManyConnectionsError,
    DBConnectionError,
    # (Python's ConnectionError and TimeoutError count only when raised inside asyncpg:
    # refused, reset or timed out while connecting)
)
KV_ERRORS: tuple[type[Exception], ...] = (
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
)
# SQLite has no server to lose; a file it cannot open or write is the embedded outage
_SQLITE_OUTAGE = ("unable to open database file", "disk i/o error", "database is locked")


def _chain(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in seen and len(seen) < 8:
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def classify(exc: BaseException) -> Dependency | None:
    """Which dependency an exception says is unreachable, or None when it is something else.
    The key-value store is checked first: redis-py's ConnectionError is not Python's."""
    for each in _chain(exc):
        if isinstance(each, KV_ERRORS):
            return "kv"
        if isinstance(each, asyncpg.InterfaceError) and "closed" in str(each):
            return "database"
        # a pooled connection caught mid-protocol by the server's death: "cannot switch to
        # state …; another operation is in progress" (seen once in a kill test's BEGIN)
        if isinstance(each, asyncpg.exceptions.InternalClientError) and "cannot switch" in str(
            each
        ):
            return "database"
        if isinstance(each, _DATABASE):
            return "database"
        if isinstance(each, sqlite3.OperationalError) and str(each).lower().startswith(
            _SQLITE_OUTAGE
        ):
            return "database"
        if isinstance(each, ConnectionError | TimeoutError) and _from_asyncpg(each):
            return "database"
    return None


def _from_asyncpg(exc: BaseException) -> bool:
    tb = exc.__traceback__
    while tb is not None:
        if "asyncpg" in tb.tb_frame.f_code.co_filename:
            return True
        tb = tb.tb_next
    return False


@dataclass
class _Burst:
    started: float = 0.0
    last: float = 0.0
    reminded: float = 0.0
    count: int = 0
    first_error: str = ""


@dataclass
class OutageLog:
    bursts: dict[str, _Burst] = field(default_factory=dict)

    def report(self, dependency: Dependency, exc: BaseException) -> None:
        now = time.monotonic()
        burst = self.bursts.get(dependency)
        if burst is None or now - burst.last > BURST_GAP_SECONDS:
            if burst is not None:
                log.info(
                    "%s outage ended: %d failed requests over %.1f s",
                    dependency, burst.count, burst.last - burst.started,
                )
            burst = self.bursts[dependency] = _Burst(now, now, now, 0, _describe(exc))
            log.error("%s unavailable: %s (answering 503)", dependency, burst.first_error)
        elif now - burst.reminded > REMIND_SECONDS:
            burst.reminded = now
            log.error(
                "%s still unavailable: %d failed requests in %.0f s (%s)",
                dependency, burst.count + 1, now - burst.started, _describe(exc),
            )
        burst.count += 1
        burst.last = now

    def down(self, dependency: Dependency) -> bool:
        """A failure of ``dependency`` seen within the last burst gap."""
        burst = self.bursts.get(dependency)
        return burst is not None and time.monotonic() - burst.last <= BURST_GAP_SECONDS


def _describe(exc: BaseException) -> str:
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{exc.__class__.__name__}: {text}" if text else exc.__class__.__name__


outages = OutageLog()


def unavailable(exc: BaseException) -> ServiceUnavailable | None:
    """The 503 to answer for ``exc`` when it is an outage (logged once per burst)."""
    dependency = classify(exc)
    if dependency is None:
        return None
    outages.report(dependency, exc)
    return ServiceUnavailable()


class PoolNoise(logging.Filter):
    """asyncpg's pool logs a warning with a traceback each time it fails to reconnect to keep
    its minimum size: during an outage those are the same burst, counted but not printed."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is None:
            return True
        dependency = classify(exc)
        if dependency is None:
            return True
        outages.report(dependency, exc)
        return False


def quiet_pool_noise() -> None:
    logging.getLogger("asyncpg.pool").addFilter(PoolNoise())
