"""The licence library client (``LicenceLibrary``): signed requests, typed errors, and every
fetched record's SM2 signature checked before it is believed."""

from __future__ import annotations

import asyncio
import json
import logging
import secrets
import time
from typing import Any

import aiohttp

from app.crypto import sm2
from app.interfaces import LicenceRecord
from channels.licence import messages, signing
from channels.licence.errors import (
    RETRYABLE,
    LibraryCode,
    LicenceLibraryError,
    LicenceLibraryUnavailable,
    RecordNotSigned,
)
from models.certificates import HolderKind

log = logging.getLogger(__name__)


class LicenceLibraryClient:
    def __init__(self, http: aiohttp.ClientSession, *, base_url: str, app_id: str,
                 app_secret: str, public_key: sm2.PublicKey | None, timeout: float = 10.0
                 ) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self.app_secret = app_secret
        self.public_key = public_key
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    async def query(self, holder_kind: HolderKind, holder_id: str,
                    type_name: str | None = None) -> list[LicenceRecord]:
        body: dict[str, Any] = {"holder_type": holder_kind.value, "holder_id": holder_id}
        if type_name:
            body["type_name"] = type_name
        data = await self._call("/v1/licences/query", body)
        try:
            return [messages.record(r) for r in data["licences"]]
        except (KeyError, ValueError, TypeError) as exc:
            raise LicenceLibraryUnavailable("query: unreadable licences") from exc

    async def fetch(self, licence_id: str, holder_id: str) -> LicenceRecord:
        data = await self._call("/v1/licences/fetch",
                                {"licence_id": licence_id, "holder_id": holder_id})
        raw = data.get("licence") if isinstance(data, dict) else None
        if not isinstance(raw, dict):
            raise LicenceLibraryUnavailable("fetch: no licence in the answer")
        if self.public_key is None or not await asyncio.to_thread(
                signing.record_signed_by, raw, self.public_key):
            raise RecordNotSigned("fetch: the library's signature does not hold")
        try:
            return messages.record(raw)
        except (KeyError, ValueError, TypeError) as exc:
            raise LicenceLibraryUnavailable("fetch: unreadable licence") from exc

    async def _call(self, path: str, body: dict[str, Any]) -> Any:
        payload = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()
        ts, nonce = str(int(time.time())), secrets.token_hex(16)
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "X-Licence-App": self.app_id, "X-Licence-Timestamp": ts, "X-Licence-Nonce": nonce,
            "X-Licence-Signature": signing.request_signature(self.app_secret, path, ts, nonce,
                                                             payload),
        }
        try:
            async with self.http.post(self.base_url + path, data=payload, headers=headers,
                                      timeout=self.timeout) as resp:
                status, text = resp.status, await resp.text()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise LicenceLibraryUnavailable(f"{path}: {type(exc).__name__}") from exc
        try:
            answer = json.loads(text)
            code = LibraryCode(str(answer.get("code")))
        except (ValueError, AttributeError) as exc:
            raise LicenceLibraryUnavailable(f"{path}: unreadable answer (HTTP {status})") from exc
        if code is LibraryCode.OK and status == 200:
            return answer.get("data") or {}
        log.warning("licence library %s: %s request_id=%s", path, code.value,
                    answer.get("request_id"))
        cls = LicenceLibraryUnavailable if code in RETRYABLE or status >= 500 else (
            LicenceLibraryError)
        raise cls(f"{path}: {code.value}", code=code.value)


def build(settings: Any, http: aiohttp.ClientSession, kv: Any) -> LicenceLibraryClient:
    key = settings.licence_public_key.strip()
    return LicenceLibraryClient(
        http, base_url=settings.licence_api_base, app_id=settings.licence_app_id,
        app_secret=settings.licence_app_secret.get_secret_value(),
        public_key=sm2.public_from_xy(bytes.fromhex(key)) if key else None,
        timeout=settings.http_timeout,
    )
