"""JPush v3 error codes, split into retryable and final.

Codes from docs.jiguang.cn/jpush/server/push/rest_api_v3_push (error-code table; the
list in our protocol notes is marked unverified, so unknown codes fall back on the HTTP
status: 5xx and 429 retry, other 4xx are final).
"""

from __future__ import annotations

from enum import IntEnum

from app.interfaces import FinalProviderError, RetryableProviderError


class JPushCode(IntEnum):
    INTERNAL = 1000
    MISSING_PARAM = 1002
    INVALID_PARAM = 1003
    AUTH_FAILED = 1004
    TOO_LARGE = 1005
    INVALID_APP_KEY = 1008
    NO_AUDIENCE = 1011  # "cannot find user by this audience": device unregistered
    RATE_LIMITED = 2002


RETRYABLE_CODES = frozenset({JPushCode.INTERNAL, JPushCode.RATE_LIMITED})


class JPushRetryable(RetryableProviderError):
    pass


class JPushFinal(FinalProviderError):
    pass


def error_for(status: int, code: int | None, message: str) -> JPushRetryable | JPushFinal:
    text = f"jpush http {status} code {code}: {message}"
    if code is not None and code in RETRYABLE_CODES:
        return JPushRetryable(text, code=code)
    if status >= 500 or status == 429:
        return JPushRetryable(text, code=code if code is not None else status)
    return JPushFinal(text, code=code if code is not None else status)
