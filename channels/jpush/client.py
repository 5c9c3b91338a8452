"""JPush REST API v3 client: ``POST /v3/push`` to devices by registration id.

docs.jiguang.cn/jpush/server/push/rest_api_v3_push — Basic auth with ``appKey:masterSecret``,
success ``{"sendno": "..", "msg_id": ".."}``, errors ``{"error": {"code", "message"}}``.
The official ``jpush`` package is built on ``requests``; this one shares the process's
aiohttp session instead.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

import aiohttp

from channels.jpush.errors import JPushFinal, JPushRetryable, error_for


def basic_auth(app_key: str, master_secret: str) -> str:
    token = base64.b64encode(f"{app_key}:{master_secret}".encode()).decode()
    return f"Basic {token}"


@dataclass(frozen=True)
class PushResult:
    msg_id: str
    sendno: str


def push_body(
    registration_ids: list[str],
    title: str,
    alert: str,
    *,
    extras: dict[str, Any] | None = None,
    sendno: int | None = None,
    time_to_live: int = 86400,
    apns_production: bool = False,
) -> dict[str, Any]:
    extras = extras or {}
    options: dict[str, Any] = {"time_to_live": time_to_live, "apns_production": apns_production}
    if sendno is not None:
        options["sendno"] = sendno
    return {
        "platform": "all",
        "audience": {"registration_id": registration_ids},
        "notification": {
            "alert": alert,
            "android": {"alert": alert, "title": title, "extras": extras},
            "ios": {"alert": {"title": title, "body": alert}, "sound": "default",
                    "badge": "+1", "extras": extras},
        },
        "options": options,
    }


class JPushClient:
    def __init__(
        self, http: aiohttp.ClientSession, base_url: str, app_key: str, master_secret: str,
        *, timeout: float = 10.0,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self._auth = basic_auth(app_key, master_secret)
        self._timeout = aiohttp.ClientTimeout(total=timeout, connect=min(3.0, timeout))

    async def push(self, body: dict[str, Any]) -> PushResult:
        """Send one push; raise ``JPushRetryable`` / ``JPushFinal`` on failure."""
        headers = {"Authorization": self._auth, "Content-Type": "application/json"}
        try:
            async with self.http.post(
                f"{self.base_url}/v3/push", data=json.dumps(body, ensure_ascii=False),
                headers=headers, timeout=self._timeout,
            ) as resp:
                status = resp.status
                text = await resp.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            name = type(exc).__name__
            raise JPushRetryable(f"jpush unreachable: {name}", code="network") from exc
        payload = _json(text)
        if 200 <= status < 300 and "msg_id" in payload:
            return PushResult(msg_id=str(payload["msg_id"]), sendno=str(payload.get("sendno", "")))
        found = payload.get("error")
        error: dict[str, Any] = found if isinstance(found, dict) else {}
        code = error.get("code")
        if status == 401:
            raise JPushFinal("jpush unauthorized", code=int(code) if code else 1004, raw=payload)
        failure = error_for(status, int(code) if code is not None else None,
                            str(error.get("message", text[:200])))
        failure.raw = payload
        raise failure


def _json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def build(settings: Any, http: aiohttp.ClientSession, kv: Any) -> JPushClient:
    return JPushClient(
        http, settings.jpush_api_base, settings.jpush_app_key,
        settings.jpush_master_secret.get_secret_value(), timeout=settings.http_timeout,
    )
