"""Two-factor ID check (name + ID number against the authoritative source).

Modelled on Tencent Cloud faceid ``IdCardVerification``
(https://cloud.tencent.com/document/api/1007/33188). The answer says match, mismatch or no
record; a match proves real-name level 2.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

from app.interfaces import RealNameOutcome, RealNameResult
from channels.idcheck.errors import (
    RETRYABLE_RESULTS,
    IdCardResult,
    IdCheckError,
    IdCheckUnavailable,
)
from channels.idcheck.transport import FaceIdTransport

log = logging.getLogger(__name__)

OUTCOMES = {
    IdCardResult.MATCH: RealNameOutcome.MATCH,
    IdCardResult.MISMATCH: RealNameOutcome.MISMATCH,
    IdCardResult.NO_RECORD: RealNameOutcome.NO_RECORD,
}


class IdCheckClient:
    """A ``RealNameProvider`` for level 2."""

    source = "idcheck"
    level = 2

    def __init__(self, transport: FaceIdTransport) -> None:
        self.transport = transport

    async def verify(
        self, name: str, id_number: str, face_token: str | None = None
    ) -> RealNameResult:
        body = await self.transport.call("IdCardVerification", {"IdCard": id_number, "Name": name})
        raw = str(body.get("Result", ""))
        try:
            result = IdCardResult(raw)
        except ValueError as exc:
            raise IdCheckUnavailable(f"IdCardVerification: unknown Result {raw!r}") from exc
        log.info("idcheck result=%s request_id=%s", result.value, body.get("RequestId"))
        if result in RETRYABLE_RESULTS:
            raise IdCheckUnavailable(f"IdCardVerification: Result {raw}", code=raw)
        if result in (IdCardResult.INVALID_ID, IdCardResult.INVALID_NAME):
            raise IdCheckError(f"IdCardVerification: Result {raw}", code=raw)
        return RealNameResult(
            outcome=OUTCOMES[result], level=self.level, source=self.source, raw_code=raw
        )


def build(settings: Any, http: aiohttp.ClientSession, kv: Any) -> IdCheckClient:
    return IdCheckClient(
        FaceIdTransport(
            http,
            base_url=settings.idcheck_api_base,
            secret_id=settings.idcheck_app_key,
            secret_key=settings.idcheck_app_secret.get_secret_value(),
            timeout=settings.http_timeout,
        )
    )
