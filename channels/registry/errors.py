"""The registry's answer codes, split into retryable and final."""

from __future__ import annotations

from enum import StrEnum

from app.interfaces import FinalProviderError, RetryableProviderError
from channels.govsign import CodeTable


class RegistryCode(StrEnum):
    OK = "0"
    AUTH_FAILED = "AUTH_FAILED"
    TIMESTAMP_OUT_OF_RANGE = "TIMESTAMP_OUT_OF_RANGE"
    NONCE_REUSED = "NONCE_REUSED"
    BAD_REQUEST = "BAD_REQUEST"
    ENTERPRISE_NOT_FOUND = "ENTERPRISE_NOT_FOUND"
    RATE_LIMITED = "RATE_LIMITED"
    SYSTEM_BUSY = "SYSTEM_BUSY"


class RegistryError(FinalProviderError):
    """The registry refused for good (credentials, a bad request)."""


class RegistryUnavailable(RetryableProviderError):
    """Network trouble, a 5xx, busy or rate-limited: try again later."""


CODES = CodeTable(
    settled=frozenset({RegistryCode.OK.value}),
    retryable=frozenset({RegistryCode.RATE_LIMITED.value, RegistryCode.SYSTEM_BUSY.value}),
    final_error=RegistryError, retry_error=RegistryUnavailable,
)
