"""The API error hierarchy, written out in one place, and the one JSON envelope.

Every error a caller can cause is an ``ApiError`` with a stable ``code``; the app answers
``{"error": {"code", "message", "fields"}, "request_id"}`` with its 4xx status. Anything else
is a bug: logged with the request id and answered 500 ``INTERNAL`` without details.
"""

from __future__ import annotations

from typing import Any

from app.error_codes import message_of


class ApiError(Exception):
    status = 400
    code = "BAD_REQUEST"
    message = "请求有误"

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: dict[str, Any] | None = None,
        status: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        # a code raised without words says what the catalogue says of it
        self.message = message or (code and message_of(code)) or self.message
        self.code = code or self.code
        self.status = status or self.status
        self.fields = fields or {}
        self.headers = headers or {}
        super().__init__(self.message)

    def body(self, request_id: str | None) -> dict[str, Any]:
        return {
            "error": {"code": self.code, "message": self.message, "fields": self.fields},
            "request_id": request_id,
        }


class BadRequest(ApiError):
    pass


class ValidationFailed(ApiError):
    status = 422
    code = "VALIDATION_FAILED"
    message = "提交的内容不符合要求"


class Unauthorized(ApiError):
    status = 401
    code = "UNAUTHORIZED"
    message = "请先登录"


class Forbidden(ApiError):
    status = 403
    code = "FORBIDDEN"
    message = "无权进行此操作"


class NotFound(ApiError):
    status = 404
    code = "NOT_FOUND"
    message = "未找到"


class Conflict(ApiError):
    status = 409
    code = "CONFLICT"
    message = "当前状态不允许此操作"


class PayloadTooLarge(ApiError):
    status = 413
    code = "PAYLOAD_TOO_LARGE"
    message = "提交的内容过大"


class TooManyRequests(ApiError):
    """Always with ``Retry-After`` (seconds): a client must be told when to come back."""

    status = 429
    code = "TOO_MANY_REQUESTS"
    message = "操作过于频繁，请稍后再试"

    def __init__(self, message: str | None = None, *, retry_after: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        if "Retry-After" not in self.headers:
            self.headers["Retry-After"] = str(max(1, int(retry_after or 60)))


class UpstreamUnavailable(ApiError):
    status = 503
    code = "UPSTREAM_UNAVAILABLE"
    message = "外部服务暂时不可用，请稍后再试"


RETRY_AFTER_SECONDS = 1


class ServiceUnavailable(ApiError):
    """The database or the key-value store cannot be reached (``app.outages``), or a check
    that needs it to be safe refuses to run without it."""

    status = 503
    code = "SERVICE_UNAVAILABLE"
    message = "服务暂时不可用，请稍后再试"

    def __init__(self, message: str | None = None, *, code: str | None = None) -> None:
        super().__init__(message, code=code, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})
