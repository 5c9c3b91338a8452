"""Every log line of the test session, formatted as the app writes it (see
``tests/conftest.py``, which installs the hook before any test runs)."""

from __future__ import annotations

import logging

LOG_LINES: list[str] = []
_installed = False


def install() -> None:
    """Hook ``Logger.handle`` rather than add a handler: the app's log set-up replaces the
    root handlers whenever a server starts."""
    global _installed
    if _installed:
        return
    from app.logs import JsonFormatter

    formatter = JsonFormatter()
    original = logging.Logger.handle

    def recording_handle(self: logging.Logger, record: logging.LogRecord) -> None:
        try:
            LOG_LINES.append(formatter.format(record))
        except Exception:  # an unformattable record is the app's bug, not this test's
            LOG_LINES.append(str(record.msg))
        original(self, record)

    logging.Logger.handle = recording_handle  # type: ignore[method-assign]
    _installed = True
