"""Face verification (liveness + comparison with the authoritative photo) → real-name level 3.

Modelled on Tencent Cloud faceid 慧眼 ``DetectAuth`` / ``GetDetectInfoEnhanced``
(https://cloud.tencent.com/document/api/1007/31816, /1007/41957): the server opens a session
for a name and ID number and gets a ``BizToken`` and a page URL; the person does the liveness
check on that page; the server then reads the result with the ``BizToken``. The token is the
"face token" handed to ``verify``.
"""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

from app.interfaces import FaceSession, RealNameOutcome, RealNameResult
from channels.idcheck.errors import FaceNotCompleted, IdCheckUnavailable
from channels.idcheck.transport import FaceIdTransport

log = logging.getLogger(__name__)

RULE_ID = "1"


class FaceVerifier:
    """A ``RealNameProvider`` for level 3; ``verify`` needs the session's face token."""

    source = "face"
    level = 3

    def __init__(self, transport: FaceIdTransport) -> None:
        self.transport = transport

    async def start(self, name: str, id_number: str, redirect_url: str) -> FaceSession:
        body = await self.transport.call(
            "DetectAuth",
            {"RuleId": RULE_ID, "IdCard": id_number, "Name": name, "RedirectUrl": redirect_url},
        )
        try:
            return FaceSession(biz_token=str(body["BizToken"]), url=str(body["Url"]))
        except KeyError as exc:
            raise IdCheckUnavailable("DetectAuth: answer without BizToken") from exc

    async def verify(
        self, name: str, id_number: str, face_token: str | None = None
    ) -> RealNameResult:
        if not face_token:
            raise FaceNotCompleted("face token missing", code="NoToken")
        body = await self.transport.call(
            "GetDetectInfoEnhanced", {"BizToken": face_token, "RuleId": RULE_ID, "InfoType": "0"}
        )
        text = body.get("Text") or {}
        if not isinstance(text, dict):
            raise IdCheckUnavailable("GetDetectInfoEnhanced: unreadable Text")
        err = text.get("ErrCode")
        log.info(
            "face result err=%s live=%s compare=%s request_id=%s",
            err, text.get("LiveStatus"), text.get("Comparestatus"), body.get("RequestId"),
        )
        if err is None:
            raise FaceNotCompleted("face session not completed", code="NotCompleted")
        same_identity = (
            str(text.get("IdCard", "")).upper() == id_number.upper()
            and text.get("Name") == name
        )
        try:
            passed = (
                int(err) == 0
                and int(text.get("LiveStatus", -1)) == 0
                and int(text.get("Comparestatus", -1)) == 0
            )
        except (TypeError, ValueError) as exc:
            raise IdCheckUnavailable("GetDetectInfoEnhanced: unreadable status") from exc
        outcome = RealNameOutcome.MATCH if passed and same_identity else RealNameOutcome.MISMATCH
        return RealNameResult(
            outcome=outcome, level=self.level, source=self.source, raw_code=str(err)
        )


def build(settings: Any, http: aiohttp.ClientSession, kv: Any) -> FaceVerifier:
    # One cloud account serves both products: the ID check's SecretId, the face product's key.
    return FaceVerifier(
        FaceIdTransport(
            http,
            base_url=settings.face_api_base,
            secret_id=settings.idcheck_app_key,
            secret_key=settings.face_app_secret.get_secret_value(),
            timeout=settings.http_timeout,
        )
    )
