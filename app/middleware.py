"""Request ids and the access log line.

The id is given when the request object is made (``IdentifiedRequest``), not by an
``on_request`` middleware: Sanic runs its whole middleware machinery for every request once
any middleware exists, which cost the cheapest endpoints a good share of their time.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import time
from typing import Any

from sanic import HTTPResponse, Request, Sanic

from app.context import AppRequest
from app.logs import request_id_var

_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
access_log = logging.getLogger("zsb.access")


class _Ids:
    """Unique request ids without a random draw per request: a random per-process prefix and
    a counter (a forked child draws its own prefix)."""

    def __init__(self) -> None:
        self.reset()
        os.register_at_fork(after_in_child=self.reset)

    def reset(self) -> None:
        self.prefix = os.urandom(6).hex()
        self.counter = itertools.count(1)

    def next(self) -> str:
        return f"{self.prefix}{next(self.counter):08x}"


new_request_id = _Ids().next


def _started(request: object) -> float:
    return request.started if isinstance(request, IdentifiedRequest) else time.perf_counter()


class IdentifiedRequest(Request):
    """A request that knows its id (the caller's ``x-request-id`` when well formed, made
    when first asked for) and when it started; the logs and ``app.handler_kit.id_headers`` find it
    through ``app.logs.request_id_var``."""

    __slots__ = ("_request_id", "started")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._request_id: str | None = None
        self.started = time.perf_counter()
        request_id_var.set(self)

    @property
    def request_id(self) -> str:
        if self._request_id is None:
            incoming = self.headers.get("x-request-id", "")
            self._request_id = (
                incoming if incoming and _SAFE_ID.match(incoming) else new_request_id()
            )
        return self._request_id


def install_middleware(app: Sanic) -> None:
    if not app.ctx.settings.access_log:
        # without the access log there is no middleware at all: ok() and the error handlers
        # stamp x-request-id themselves
        return

    @app.on_response(priority=100)
    async def log_response(request: AppRequest, response: HTTPResponse) -> None:
        rid = getattr(request, "request_id", None)
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
                "duration_ms": round((time.perf_counter() - _started(request)) * 1000, 2),
            },
        )
