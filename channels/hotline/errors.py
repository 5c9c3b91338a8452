"""Answer codes of the 12345 hotline system (both directions), retryable and final."""

from __future__ import annotations

from enum import StrEnum

from app.interfaces import FinalProviderError, RetryableProviderError
from channels.govsign import CodeTable


class HotlineCode(StrEnum):
    OK = "0"
    BAD_SIGNATURE = "1001"
    STALE = "1002"
    NONCE_REUSED = "1003"  # a replayed request
    UNKNOWN_APPID = "1004"
    INVALID = "2001"
    UNKNOWN_TICKET = "2004"
    TICKET_CLOSED = "2005"  # the hotline closed it already: our reply is late, not wrong
    BUSY = "5000"


RETRYABLE = frozenset({HotlineCode.STALE, HotlineCode.NONCE_REUSED, HotlineCode.BUSY})
SETTLED = frozenset({HotlineCode.OK, HotlineCode.TICKET_CLOSED})


class HotlineError(FinalProviderError):
    pass


class HotlineRetryableError(RetryableProviderError):
    pass


CODES = CodeTable(frozenset(SETTLED), frozenset(RETRYABLE), HotlineError, HotlineRetryableError)
