"""One signed POST to a faceid-style API 3.0 endpoint, shared by the ID check and face clients."""

from __future__ import annotations

import json
import logging
import time
from typing import Any
from urllib.parse import urlsplit

import aiohttp

from channels.idcheck import signing
from channels.idcheck.errors import RETRYABLE_API_ERRORS, IdCheckError, IdCheckUnavailable

log = logging.getLogger(__name__)

API_VERSION = "2018-03-01"
SERVICE = "faceid"


class FaceIdTransport:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        base_url: str,
        secret_id: str,
        secret_key: str,
        region: str = "ap-guangzhou",
        timeout: float = 10.0,
    ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/") + "/"
        self.host = urlsplit(self.base_url).netloc
        self.secret_id = secret_id
        self.secret_key = secret_key
        self.region = region
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def call(self, action: str, params: dict[str, Any]) -> dict[str, Any]:
        """POST ``params`` as ``action``; answer ``Response`` without its envelope."""
        payload = json.dumps(params, ensure_ascii=False, separators=(",", ":")).encode()
        ts = int(time.time())
        headers = {
            "Authorization": signing.authorization(
                secret_id=self.secret_id,
                secret_key=self.secret_key,
                host=self.host,
                action=action,
                payload=payload,
                timestamp=ts,
                service=SERVICE,
            ),
            "Content-Type": signing.CONTENT_TYPE,
            "Host": self.host,
            "X-TC-Action": action,
            "X-TC-Timestamp": str(ts),
            "X-TC-Version": API_VERSION,
            "X-TC-Region": self.region,
        }
        try:
            async with self.http.post(
                self.base_url, data=payload, headers=headers, timeout=self.timeout
            ) as resp:
                status = resp.status
                text = await resp.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise IdCheckUnavailable(f"{action}: {type(exc).__name__}") from exc
        if status >= 500:
            raise IdCheckUnavailable(f"{action}: HTTP {status}", code=status)
        try:
            body = json.loads(text)["Response"]
        except (ValueError, KeyError, TypeError) as exc:
            raise IdCheckUnavailable(f"{action}: unreadable answer (HTTP {status})") from exc
        error = body.get("Error")
        if error:
            code = str(error.get("Code", ""))
            log.warning("faceid %s error %s request_id=%s", action, code, body.get("RequestId"))
            cls = IdCheckUnavailable if code in RETRYABLE_API_ERRORS else IdCheckError
            raise cls(f"{action}: {code}", code=code, raw={"Code": code})
        return body
