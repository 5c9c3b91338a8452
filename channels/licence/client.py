"""The licence library client (``LicenceLibrary``): requests signed as every government edge's
are (``channels/govsign.py``), typed errors, and every fetched record's SM2 signature checked
before it is believed. The HTTP session's timeout applies (``ZSB_HTTP_TIMEOUT``)."""

from __future__ import annotations

import asyncio
import logging
import secrets
from typing import Any

import aiohttp

from app.crypto import sm2
from app.interfaces import LicenceRecord, RetryableProviderError
from channels import govsign
from channels.licence import messages, signing
from channels.licence.errors import (
    CODES,
    LibraryCode,
    LicenceLibraryUnavailable,
    RecordNotSigned,
)
from models.certificates import HolderKind

log = logging.getLogger(__name__)


class LicenceLibraryClient:
    def __init__(self, http: aiohttp.ClientSession, *, base_url: str, app_id: str,
                 app_secret: str, public_key: sm2.PublicKey | None) -> None:
        self.http = http
        self.base_url = base_url.rstrip("/")
        self.app_id = app_id
        self.app_secret = app_secret
        self.public_key = public_key

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

    async def _call(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        try:
            data = await govsign.post_signed(
                self.http, self.base_url, path, body, appid=self.app_id, secret=self.app_secret,
                key=secrets.token_hex(16), system="licence library")
        except RetryableProviderError as exc:
            raise LicenceLibraryUnavailable(str(exc), code=exc.code) from exc
        if str(data.get("code")) != LibraryCode.OK.value:
            log.warning("licence library %s: %s request_id=%s", path, data.get("code"),
                        data.get("request_id"))
        CODES.raise_for(data)
        return govsign.answer_data(data)


def build(settings: Any, http: aiohttp.ClientSession, kv: Any) -> LicenceLibraryClient:
    key = settings.licence_public_key.strip()
    return LicenceLibraryClient(
        http, base_url=settings.licence_api_base, app_id=settings.licence_app_id,
        app_secret=settings.licence_app_secret.get_secret_value(),
        public_key=sm2.public_from_xy(bytes.fromhex(key)) if key else None,
    )
