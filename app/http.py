"""One pooled outbound HTTP session per process, with a timeout on every call by default."""

from __future__ import annotations

import aiohttp


def open_session(timeout_seconds: float) -> aiohttp.ClientSession:
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=timeout_seconds, connect=min(3.0, timeout_seconds)),
        connector=aiohttp.TCPConnector(limit=200, limit_per_host=100, ttl_dns_cache=300),
        headers={"User-Agent": "zsb-backend/0.1"},
        raise_for_status=False,
    )
