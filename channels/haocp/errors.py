"""Answer codes of the 好差评 system, split into retryable and final (see ``app.interfaces``)."""

from __future__ import annotations

from enum import StrEnum

from app.interfaces import FinalProviderError, RetryableProviderError
from channels.govsign import CodeTable


class HaocpCode(StrEnum):
    OK = "0"
    BAD_SIGNATURE = "1001"
    STALE = "1002"  # our clock, or a request delayed in flight: sign again
    NONCE_REUSED = "1003"
    UNKNOWN_APPID = "1004"
    INVALID = "2001"  # a field missing or out of range
    UNKNOWN_EVALUATION = "2002"  # a 整改 / 申诉 before its evaluation arrived: later
    SUPERSEDED = "2003"  # a newer version of this evaluation is there already
    RATE_LIMITED = "4290"
    BUSY = "5000"


RETRYABLE = frozenset({HaocpCode.STALE, HaocpCode.NONCE_REUSED, HaocpCode.UNKNOWN_EVALUATION,
                       HaocpCode.RATE_LIMITED, HaocpCode.BUSY})
# answers that mean the province holds what we sent, or something newer: nothing left to do
SETTLED = frozenset({HaocpCode.OK, HaocpCode.SUPERSEDED})


class HaocpError(FinalProviderError):
    pass


class HaocpRetryableError(RetryableProviderError):
    pass


CODES = CodeTable(frozenset(SETTLED), frozenset(RETRYABLE), HaocpError, HaocpRetryableError)
