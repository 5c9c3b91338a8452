"""Turning every error into the one JSON envelope."""

from __future__ import annotations

import logging

from sanic import Sanic
from sanic.exceptions import SanicException
from sanic.response import HTTPResponse, json

from app.context import AppRequest
from app.error_codes import CATALOGUE
from app.errors import ApiError
from app.handler_kit import id_headers
from app.outages import unavailable

log = logging.getLogger("zsb.errors")

_SANIC_CODES = {
    status: (code, CATALOGUE[code].message)
    for status, code in (
        (400, "BAD_REQUEST"), (401, "UNAUTHORIZED"), (403, "FORBIDDEN"), (404, "NOT_FOUND"),
        (405, "METHOD_NOT_ALLOWED"), (408, "REQUEST_TIMEOUT"), (413, "PAYLOAD_TOO_LARGE"),
        (415, "UNSUPPORTED_MEDIA_TYPE"), (416, "RANGE_NOT_SATISFIABLE"),
        (503, "SERVICE_UNAVAILABLE"),
    )
}
INTERNAL = CATALOGUE["INTERNAL"]


def _rid(request: AppRequest | None) -> str | None:
    return getattr(request, "request_id", None) if request is not None else None


def install_error_handlers(app: Sanic) -> None:
    @app.exception(ApiError)
    async def api_error(request: AppRequest, exc: ApiError) -> HTTPResponse:
        return json(
            exc.body(_rid(request)),
            status=exc.status,
            headers=id_headers(exc.headers),
            ensure_ascii=False,
        )

    @app.exception(SanicException)
    async def sanic_error(request: AppRequest, exc: SanicException) -> HTTPResponse:
        status = getattr(exc, "status_code", 500) or 500
        code, message = _SANIC_CODES.get(status, ("BAD_REQUEST", "请求有误"))
        if status >= 500:
            log.error("server error: %s", exc.__class__.__name__)
            code, message = "INTERNAL", INTERNAL.message
        body = {
            "error": {"code": code, "message": message, "fields": {}},
            "request_id": _rid(request),
        }
        headers = id_headers(getattr(exc, "headers", None) or None)
        return json(body, status=status, headers=headers, ensure_ascii=False)

    @app.exception(Exception)
    async def unexpected(request: AppRequest, exc: Exception) -> HTTPResponse:
        outage = unavailable(exc)
        if outage is not None:
            return await api_error(request, outage)
        log.exception("unhandled error on %s %s", request.method, request.path)
        body = {
            "error": {"code": "INTERNAL", "message": INTERNAL.message, "fields": {}},
            "request_id": _rid(request),
        }
        return json(body, status=500, headers=id_headers(), ensure_ascii=False)
