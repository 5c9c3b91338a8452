"""Result and error codes of the faceid-style ID check and face verification APIs.

IdCardVerification ``Result`` (https://cloud.tencent.com/document/api/1007/33188): "0" and "-1"
are charged answers; the others are free and say the check could not be made.
"""

from __future__ import annotations

from enum import StrEnum

from app.interfaces import FinalProviderError, RetryableProviderError


class IdCardResult(StrEnum):
    MATCH = "0"  # 姓名和身份证号一致
    MISMATCH = "-1"  # 姓名和身份证号不一致
    INVALID_ID = "-2"  # 非法身份证号（长度、校验位等不正确）
    INVALID_NAME = "-3"  # 非法姓名
    SOURCE_ERROR = "-4"  # 证件库服务异常
    NO_RECORD = "-5"  # 证件库中无此身份证记录
    UPGRADING = "-6"  # 权威比对系统升级中
    DAILY_LIMIT = "-7"  # 认证次数超过当日限制


RETRYABLE_RESULTS = {IdCardResult.SOURCE_ERROR, IdCardResult.UPGRADING, IdCardResult.DAILY_LIMIT}

# Common API 3.0 error codes (Response.Error.Code) that a later retry may cure.
RETRYABLE_API_ERRORS = {
    "InternalError",
    "RequestLimitExceeded",
    "ResourceUnavailable",
    "FailedOperation.RequestLimitExceeded",
    "FailedOperation.UnKnown",
}


class IdCheckError(FinalProviderError):
    """The provider refused the request for good (bad credentials, bad parameter…)."""


class IdCheckUnavailable(RetryableProviderError):
    """Network trouble, a 5xx, or the provider's source system is busy."""


class FaceNotCompleted(FinalProviderError):
    """The face session exists but the person has not finished (or failed) liveness."""
