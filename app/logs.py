"""Structured (JSON-line) logs with the request id, and a last-line filter that masks
anything shaped like an ID number, a phone number or a bearer token.

Written by hand rather than with structlog: it is one formatter and one filter over the
stdlib, and Sanic's own loggers go through it unchanged.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Protocol


class HasRequestId(Protocol):
    @property
    def request_id(self) -> str: ...


# the request being served (its id is made only when something asks for it)
request_id_var: contextvars.ContextVar[HasRequestId | None] = contextvars.ContextVar(
    "request_id", default=None
)


def current_request_id() -> str | None:
    holder = request_id_var.get()
    return holder.request_id if holder is not None else None

# as answers mask them (``pii.mask_id_number``): 3 + 4 kept, so no birth date or region shows
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])(\d{3})\d{11}(\d{3}[\dXx])(?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_BEARER = re.compile(r"(?i)(bearer\s+)[A-Za-z0-9._~+/=-]+")
_SECRETS = re.compile(
    r"(?i)((?:access_token|refresh_token|secret|password|sign|signature|code)"
    r"[\"']?\s*[:=]\s*[\"']?)[^\s\"'&,}]+"
)


def scrub(text: str) -> str:
    text = _ID_NUMBER.sub(r"\1***********\2", text)
    text = _PHONE.sub(r"\1****\2", text)
    text = _BEARER.sub(r"\1***", text)
    return _SECRETS.sub(r"\1***", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": scrub(record.getMessage()),
        }
        rid = current_request_id()
        if rid:
            entry["request_id"] = rid
        for key in ("event", "status", "path", "method", "duration_ms", "channel"):
            value = getattr(record, key, None)
            if value is not None:
                entry[key] = scrub(str(value)) if isinstance(value, str) else value
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("sanic.root", "sanic.error", "sanic.access", "sanic.server", "tortoise"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    # Sanic's access lines carry everything in extra fields and an empty message; the one
    # line of app/middleware.py replaces them
    logging.getLogger("sanic.access").setLevel("WARNING")
    logging.getLogger("tortoise").setLevel("WARNING")
    logging.getLogger("asyncio").setLevel("WARNING")
    from app.outages import quiet_pool_noise

    quiet_pool_noise()
