"""Request ids and the access log line."""

from __future__ import annotations

import logging
import re
import time
import uuid

from sanic import HTTPResponse, Request, Sanic

from app.logs import request_id_var

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("zsb.access")


def install_middleware(app: Sanic) -> None:
    log_access = app.ctx.settings.access_log

    @app.on_request(priority=100)
    async def assign_request_id(request: Request) -> None:
        incoming = request.headers.get("x-request-id", "")
        rid = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        request.ctx.request_id = rid
        request.ctx.started = time.perf_counter()
        request_id_var.set(rid)

    if not log_access:
        # a response middleware costs every request a good share of its time: without the
        # access log, ok() and the error handlers stamp x-request-id themselves
        return

    @app.on_response(priority=100)
    async def log_response(request: Request, response: HTTPResponse) -> None:
        rid = getattr(request.ctx, "request_id", None)
        if rid:
            response.headers["x-request-id"] = rid
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status,
            extra={
                "method": request.method,
                "path": request.path,
                "status": response.status,
                "duration_ms": round((time.perf_counter() - request.ctx.started) * 1000, 2),
            },
        )
