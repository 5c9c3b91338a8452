"""WeChat ``errcode`` values and the errors our WeChat client raises.

Every WeChat API answers ``{"errcode": N, "errmsg": "..."}`` on failure. ``raise_for_errcode``
turns that into ``WeChatRetryableError`` (busy, quota, token trouble) or ``WeChatError`` (the
platform said no for good), both keeping the errcode for the record and the push pipeline.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any

from app.interfaces import FinalProviderError, RetryableProviderError


class WeChatErrcode(IntEnum):
    """https://developers.weixin.qq.com/doc/offiaccount/Getting_Started/Global_Return_Code.html"""

    SYSTEM_BUSY = -1
    OK = 0
    INVALID_CREDENTIAL = 40001
    INVALID_OPENID = 40003
    INVALID_ACCESS_TOKEN = 40014
    INVALID_CODE = 40029
    INVALID_TEMPLATE_ID = 40037
    CODE_BEEN_USED = 40163
    ACCESS_TOKEN_EXPIRED = 42001
    REQUIRE_SUBSCRIBE = 43004
    USER_REFUSED = 43101
    API_QUOTA = 45009
    INVALID_IP = 40164


# The access_token is stale or was replaced: fetch a fresh one and try once more.
TOKEN_ERRCODES = frozenset(
    {
        WeChatErrcode.INVALID_CREDENTIAL,
        WeChatErrcode.INVALID_ACCESS_TOKEN,
        WeChatErrcode.ACCESS_TOKEN_EXPIRED,
    }
)
RETRYABLE_ERRCODES = TOKEN_ERRCODES | {WeChatErrcode.SYSTEM_BUSY, WeChatErrcode.API_QUOTA}


class WeChatError(FinalProviderError):
    """WeChat refused for good; ``errcode`` is the platform's code."""

    def __init__(self, errcode: int, errmsg: str = "", raw: Any = None) -> None:
        super().__init__(f"wechat errcode {errcode}: {errmsg}", code=errcode, raw=raw)
        self.errcode = errcode
        self.errmsg = errmsg


class WeChatRetryableError(RetryableProviderError):
    """Busy, quota, 5xx, network, or a token that stayed stale after one refresh."""

    def __init__(self, message: str, *, errcode: int | None = None, raw: Any = None) -> None:
        super().__init__(message, code=errcode, raw=raw)
        self.errcode = errcode


class WeChatCallbackError(Exception):
    """An inbound callback that cannot be believed (signature, decryption, appid trailer)."""


class CallbackSignatureError(WeChatCallbackError):
    """The signature does not verify: not from WeChat, answered 403."""


def raise_for_errcode(data: dict[str, Any]) -> dict[str, Any]:
    try:
        errcode = int(data.get("errcode") or 0)
    except (TypeError, ValueError):
        raise WeChatRetryableError("wechat answered an unreadable errcode", raw=data) from None
    if errcode == 0:
        return data
    errmsg = str(data.get("errmsg", ""))
    if errcode in RETRYABLE_ERRCODES:
        raise WeChatRetryableError(f"wechat errcode {errcode}: {errmsg}", errcode=errcode, raw=data)
    raise WeChatError(errcode, errmsg, raw=data)
