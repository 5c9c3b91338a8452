"""Alipay gateway answers mapped to the core's retryable / final provider errors.

Gateway ``code`` values are from the open-platform common error table
(opendocs.alipay.com/common/02km9f); ``sub_code`` values from the API pages of the methods we
call. Unknown sub codes fall back on the gateway code: 20000 (service unavailable) retries,
every 4xxxx is final.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from app.interfaces import FinalProviderError, RetryableProviderError


class GatewayCode(StrEnum):
    SUCCESS = "10000"
    UNAVAILABLE = "20000"
    INSUFFICIENT_TOKEN = "20001"
    MISSING_PARAM = "40001"
    INVALID_PARAM = "40002"
    BUSINESS_FAILED = "40004"
    NO_PERMISSION = "40006"


class SubCode(StrEnum):
    # gateway level
    UNKNOWN_ERROR = "isp.unknow-error"  # sic: Alipay spells it this way
    INVALID_SIGNATURE = "isv.invalid-signature"
    MISSING_SIGNATURE = "isv.missing-signature"
    INVALID_APP_ID = "isv.invalid-app-id"
    CODE_INVALID = "isv.code-invalid"
    INVALID_AUTH_TOKEN = "aop.invalid-auth-token"
    AUTH_TOKEN_TIME_OUT = "aop.auth-token-time-out"
    # trades
    SYSTEM_ERROR = "ACQ.SYSTEM_ERROR"
    AOP_SYSTEM_ERROR = "aop.ACQ.SYSTEM_ERROR"
    INVALID_PARAMETER = "ACQ.INVALID_PARAMETER"
    TRADE_NOT_EXIST = "ACQ.TRADE_NOT_EXIST"
    TRADE_STATUS_ERROR = "ACQ.TRADE_STATUS_ERROR"
    TRADE_HAS_SUCCESS = "ACQ.TRADE_HAS_SUCCESS"
    TRADE_HAS_CLOSE = "ACQ.TRADE_HAS_CLOSE"
    TRADE_HAS_FINISHED = "ACQ.TRADE_HAS_FINISHED"
    BUYER_NOT_EXIST = "ACQ.BUYER_NOT_EXIST"
    CONTEXT_INCONSISTENT = "ACQ.CONTEXT_INCONSISTENT"
    REFUND_AMT_NOT_EQUAL_TOTAL = "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    TRADE_NOT_ALLOW_REFUND = "ACQ.TRADE_NOT_ALLOW_REFUND"
    SELLER_BALANCE_NOT_ENOUGH = "ACQ.SELLER_BALANCE_NOT_ENOUGH"
    # bills
    BILL_NOT_EXIST = "isp.bill_not_exist"
    # mini-program messages [UNVERIFIED names; only the gateway code is relied upon]
    TEMPLATE_ILLEGAL = "USER_TEMPLATE_ILLEGAL"
    NO_SUBSCRIPTION = "USER_NOT_SUBSCRIBE"


# Alipay asks callers to retry these with the same parameters.
RETRYABLE_SUB_CODES = frozenset(
    {
        SubCode.UNKNOWN_ERROR,
        SubCode.SYSTEM_ERROR,
        SubCode.AOP_SYSTEM_ERROR,
        SubCode.SELLER_BALANCE_NOT_ENOUGH,
    }
)


class _AlipayDetail(Exception):
    """What Alipay said besides the gateway code; shared by the final and retryable errors."""

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        sub_code: str | None = None,
        sub_msg: str | None = None,
        raw: Any = None,
        signed: bool = True,
    ) -> None:
        super().__init__(message, code=code, raw=raw)  # type: ignore[call-arg]
        self.sub_code = sub_code
        self.sub_msg = sub_msg
        # False when Alipay sent the error unsigned (it does for some gateway errors): such an
        # answer may be shown but never acted upon as proof of a trade's state.
        self.signed = signed


class AlipayFinalError(_AlipayDetail, FinalProviderError):
    """Alipay said no; ``sub_code`` (e.g. ``ACQ.TRADE_NOT_EXIST``) says why."""


class AlipayRetryableError(_AlipayDetail, RetryableProviderError):
    pass


class AlipaySignatureError(AlipayFinalError):
    """A response or notify whose RSA2 signature does not verify: treat it as forged."""


class AlipayAuthCodeInvalid(AlipayFinalError):
    """The mini-program auth_code is unknown, expired or already used."""


class AlipayAuthTokenInvalid(AlipayFinalError):
    """The user's access token (auth_token) is invalid or expired."""


class AlipayTradeNotFound(AlipayFinalError):
    pass


class AlipayNotifyRejected(AlipayFinalError):
    """A correctly signed notify that is not for us (app_id / seller_id) or malformed."""


_FINAL_BY_SUB_CODE: dict[str, type[AlipayFinalError]] = {
    SubCode.CODE_INVALID: AlipayAuthCodeInvalid,
    SubCode.INVALID_AUTH_TOKEN: AlipayAuthTokenInvalid,
    SubCode.AUTH_TOKEN_TIME_OUT: AlipayAuthTokenInvalid,
    SubCode.TRADE_NOT_EXIST: AlipayTradeNotFound,
    SubCode.INVALID_SIGNATURE: AlipayFinalError,
}


def error_for(
    method: str, body: dict[str, Any], *, signed: bool = True
) -> AlipayFinalError | AlipayRetryableError:
    """The error for a non-10000 ``…_response`` body."""
    code = str(body.get("code", ""))
    sub_code = body.get("sub_code")
    sub_msg = body.get("sub_msg")
    text = f"alipay {method} failed: {code} {body.get('msg', '')} {sub_code or ''}".rstrip()
    kwargs: dict[str, Any] = {
        "code": code, "sub_code": sub_code, "sub_msg": sub_msg, "raw": body, "signed": signed
    }
    if code == GatewayCode.UNAVAILABLE or sub_code in RETRYABLE_SUB_CODES:
        return AlipayRetryableError(text, **kwargs)
    cls = _FINAL_BY_SUB_CODE.get(sub_code or "", AlipayFinalError)
    return cls(text, **kwargs)
