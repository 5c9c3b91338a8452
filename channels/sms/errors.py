"""SMS platform error codes, split into retryable and final."""

from __future__ import annotations

from enum import StrEnum

from app.interfaces import FinalProviderError, RetryableProviderError


class SmsCode(StrEnum):
    OK = "OK"
    BUSINESS_LIMIT = "isv.BUSINESS_LIMIT_CONTROL"  # per-number flow control
    MOBILE_ILLEGAL = "isv.MOBILE_NUMBER_ILLEGAL"
    TEMPLATE_ILLEGAL = "isv.SMS_TEMPLATE_ILLEGAL"
    SIGN_ILLEGAL = "isv.SMS_SIGNATURE_ILLEGAL"
    AMOUNT_NOT_ENOUGH = "isv.AMOUNT_NOT_ENOUGH"
    SIGNATURE_MISMATCH = "SignatureDoesNotMatch"
    THROTTLING = "Throttling.User"
    SYSTEM_ERROR = "isp.SYSTEM_ERROR"


RETRYABLE = {SmsCode.BUSINESS_LIMIT, SmsCode.THROTTLING, SmsCode.SYSTEM_ERROR}


class SmsError(FinalProviderError):
    pass


class SmsRetryableError(RetryableProviderError):
    pass


def raise_for(code: str, message: str, raw: object) -> None:
    if code == SmsCode.OK:
        return
    if code in RETRYABLE:
        raise SmsRetryableError(message, code=code, raw=raw)
    raise SmsError(message, code=code, raw=raw)
