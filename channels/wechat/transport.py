"""One JSON call to a WeChat API over the process's aiohttp session, errors mapped.

Network trouble, timeouts, 5xx and unreadable answers are retryable; an ``errcode`` is mapped
by ``raise_for_errcode``. The caller's URL carries the access_token, so it is never logged.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp

from channels.wechat.errors import WeChatRetryableError, raise_for_errcode

log = logging.getLogger("zsb.wechat")


async def request_json(
    http: aiohttp.ClientSession,
    method: str,
    url: str,
    *,
    time_limit: float,
    params: dict[str, str] | None = None,
    body: dict[str, Any] | None = None,
    check: bool = True,
) -> dict[str, Any]:
    data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
    headers = {"Content-Type": "application/json; charset=utf-8"} if data is not None else None
    path = url.split("?", 1)[0].rsplit("/", 2)[-2:]
    try:
        async with http.request(
            method,
            url,
            params=params,
            data=data,
            headers=headers,
            timeout=aiohttp.ClientTimeout(total=time_limit),
        ) as resp:
            text = await resp.text(encoding="utf-8")
            status = resp.status
    except (TimeoutError, aiohttp.ClientError) as exc:
        log.warning("wechat call failed", extra={"path": "/".join(path), "error": repr(exc)})
        raise WeChatRetryableError(f"network error: {exc!r}") from exc
    if status >= 500:
        raise WeChatRetryableError(f"wechat http {status}")
    try:
        answer = json.loads(text)
    except ValueError as exc:
        raise WeChatRetryableError(f"wechat answered non-JSON (http {status})") from exc
    if not isinstance(answer, dict):
        raise WeChatRetryableError("wechat answered a non-object")
    if status >= 400 and "errcode" not in answer:
        raise WeChatRetryableError(f"wechat http {status}")
    return raise_for_errcode(answer) if check else answer
