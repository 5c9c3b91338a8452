"""WeChat Pay API v3 errors: the platform's ``code`` mapped to retryable or final.

https://pay.weixin.qq.com/docs/merchant/development/interface-rules/error-code.html
"""

from __future__ import annotations

from enum import StrEnum

from app.interfaces import FinalProviderError, ProviderError, RetryableProviderError


class WeChatPayCode(StrEnum):
    SYSTEM_ERROR = "SYSTEM_ERROR"
    FREQUENCY_LIMITED = "FREQUENCY_LIMITED"
    BANK_ERROR = "BANK_ERROR"
    PARAM_ERROR = "PARAM_ERROR"
    INVALID_REQUEST = "INVALID_REQUEST"
    SIGN_ERROR = "SIGN_ERROR"
    ORDER_NOT_EXIST = "ORDER_NOT_EXIST"
    ORDER_CLOSED = "ORDER_CLOSED"
    ORDERPAID = "ORDERPAID"
    NOT_ENOUGH = "NOT_ENOUGH"
    RESOURCE_NOT_EXISTS = "RESOURCE_NOT_EXISTS"
    NO_STATEMENT_EXIST = "NO_STATEMENT_EXIST"


RETRYABLE_CODES = frozenset(
    {WeChatPayCode.SYSTEM_ERROR, WeChatPayCode.FREQUENCY_LIMITED, WeChatPayCode.BANK_ERROR}
)


class WeChatPayRetryable(RetryableProviderError):
    pass


class WeChatPayFinal(FinalProviderError):
    signed: bool = False  # the error answer carried WeChat Pay's valid signature


class ResponseSignatureError(WeChatPayRetryable):
    """A response whose signature does not verify is not believed; asking again may help."""


class NotifyError(Exception):
    """A notify we refuse. ``status`` is the HTTP status we answer with."""

    status = 400

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class NotifySignatureError(NotifyError):
    status = 401


class NotifyStale(NotifyError):
    status = 401


class NotifyMalformed(NotifyError):
    status = 400


def from_response(status: int, body: dict[str, object] | None, *, signed: bool = False
                  ) -> ProviderError:
    code = str((body or {}).get("code") or f"HTTP_{status}")
    message = str((body or {}).get("message") or f"WeChat Pay answered HTTP {status}")
    if status >= 500 or code in RETRYABLE_CODES or status == 429:
        return WeChatPayRetryable(message, code=code, raw=body)
    error = WeChatPayFinal(message, code=code, raw=body)
    error.signed = signed
    return error
