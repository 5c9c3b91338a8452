"""The licence library's answer codes, split into retryable and final."""

from __future__ import annotations

from enum import StrEnum

from app.interfaces import FinalProviderError, RetryableProviderError
from channels.govsign import CodeTable


class LibraryCode(StrEnum):
    OK = "0"
    AUTH_FAILED = "AUTH_FAILED"
    TIMESTAMP_OUT_OF_RANGE = "TIMESTAMP_OUT_OF_RANGE"
    NONCE_REUSED = "NONCE_REUSED"
    BAD_REQUEST = "BAD_REQUEST"
    HOLDER_MISMATCH = "HOLDER_MISMATCH"  # the licence is not the named holder's
    LICENCE_NOT_FOUND = "LICENCE_NOT_FOUND"
    RATE_LIMITED = "RATE_LIMITED"
    SYSTEM_BUSY = "SYSTEM_BUSY"


class LicenceLibraryError(FinalProviderError):
    """The library refused for good (credentials, bad request, not this holder's)."""


class LicenceLibraryUnavailable(RetryableProviderError):
    """Network trouble, a 5xx, busy or rate-limited: try again later."""


class RecordNotSigned(FinalProviderError):
    """A record whose library signature does not hold: never believed."""


CODES = CodeTable(
    settled=frozenset({LibraryCode.OK.value}),
    retryable=frozenset({LibraryCode.RATE_LIMITED.value, LibraryCode.SYSTEM_BUSY.value}),
    final_error=LicenceLibraryError, retry_error=LicenceLibraryUnavailable,
)
