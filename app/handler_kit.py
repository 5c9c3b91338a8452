"""Small helpers that keep handlers thin: parse and validate with pydantic, document in
OpenAPI, answer JSON."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sanic import HTTPResponse
from sanic.response import json as json_response
from sanic_ext import openapi
from sanic_ext.extensions.openapi.builders import OperationStore
from sanic_ext.extensions.openapi.types import Binary

from app.api_docs import ERROR_SCHEMA, RawSchema, query_parameter_schema, schema_of
from app.context import AppRequest
from app.errors import BadRequest, NotFound, ValidationFailed
from app.logs import current_request_id

M = TypeVar("M", bound=BaseModel)
Handler = Callable[..., Any]


def validation_fields(exc: ValidationError) -> dict[str, str]:
    fields: dict[str, str] = {}
    for err in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        fields[loc] = _message_zh(err)
    return fields


def _message_zh(err: Any) -> str:
    kind = err.get("type", "")
    if kind == "missing":
        return "必填"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return "格式不正确"
    if "too_short" in kind or "too_long" in kind:
        return "长度不符合要求"
    if kind in {"greater_than", "greater_than_equal", "less_than", "less_than_equal"}:
        return "超出允许范围"
    if kind in {"extra_forbidden"}:
        return "不允许的字段"
    if kind in {"string_pattern_mismatch"}:
        return "格式不正确"
    if kind in {"enum", "literal_error"}:
        return "取值不在允许范围内"
    return str(err.get("msg", "不符合要求"))


def carry_docs(inner: Handler, outer: Handler) -> Handler:
    """sanic-ext files OpenAPI facts under the function object they decorate: move what was
    said of ``inner`` to the ``outer`` wrapper, so decorator order does not lose docs."""
    store = OperationStore()
    if inner in store:
        store[outer] = store.pop(inner)
    return outer


def parse(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(fields=validation_fields(exc)) from exc


def body(model: type[BaseModel]) -> Callable[[Handler], Handler]:
    """Validate the JSON body into ``request.ctx.body``."""

    def decorator(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: AppRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                data = request.json if request.body else None
            except Exception as exc:  # sanic raises BadRequest with an English message
                raise BadRequest("请求体不是合法的 JSON", code="MALFORMED_JSON") from exc
            if data is None:
                data = {}
            request.ctx.body = parse(model, data)
            return await handler(request, *args, **kwargs)

        carry_docs(handler, wrapper)
        return openapi.body(
            {"application/json": schema_of(model, "validation")}, required=True
        )(wrapper)

    return decorator


def query(model: type[BaseModel]) -> Callable[[Handler], Handler]:
    """Validate the query string into ``request.ctx.query`` (repeated keys become lists
    only for list fields)."""

    def decorator(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: AppRequest, *args: Any, **kwargs: Any) -> Any:
            raw: dict[str, Any] = {}
            for key, values in request.args.items():
                field = model.model_fields.get(key)
                is_list = field is not None and "list" in str(field.annotation).lower()
                raw[key] = values if is_list else values[-1]
            request.ctx.query = parse(model, raw)
            return await handler(request, *args, **kwargs)

        carry_docs(handler, wrapper)
        for name, field in model.model_fields.items():
            schema = query_parameter_schema(model, name)
            wrapper = openapi.parameter(
                name, RawSchema(schema), "query", required=field.is_required()
            )(wrapper)
        return wrapper

    return decorator



def returns(
    model: type[BaseModel] | Any, status: int = 200, description: str = "OK"
) -> Callable[[Handler], Handler]:
    return openapi.response(status, {"application/json": schema_of(model)}, description)


def returns_file(
    *content_types: str, description: str = "the file"
) -> Callable[[Handler], Handler]:
    """Document an answer that is a file (a material, a PDF, an export), not JSON."""
    return openapi.response(200, {ct: Binary() for ct in content_types}, description)


def doc(summary: str, tag: str, description: str | None = None) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        handler = openapi.summary(summary)(handler)
        handler = openapi.tag(tag)(handler)
        if description:
            handler = openapi.description(description)(handler)
        return handler

    return decorator


ERROR_REF = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
STAFF_ERRORS: tuple[tuple[int, str], ...] = ((401, "UNAUTHORIZED"), (403, "FORBIDDEN"))


def fails(*answers: tuple[int, str]) -> Callable[[Handler], Handler]:
    """Document error answers: ``@fails((404, "CASE_NOT_FOUND"), (409, "…"))``. Answers of one
    status are one response, their codes joined in its description."""
    by_status: dict[int, list[str]] = {}
    for status, description in answers:
        by_status.setdefault(status, []).append(description)

    def decorator(handler: Handler) -> Handler:
        for status, descriptions in sorted(by_status.items()):
            handler = openapi.response(
                status, {"application/json": ERROR_REF}, " | ".join(dict.fromkeys(descriptions))
            )(handler)
        return handler

    return decorator


class Done(BaseModel):
    """The answer of an action that has nothing else to say."""

    ok: bool = True


INT4_MAX = 2**31 - 1  # ids are 32-bit: a larger one names nothing and must not reach the db
INT8_MAX = 2**63 - 1  # the ids of the tables that grow without bound (BigIntField)


def row_id(value: int, message: str, code: str, *, maximum: int = INT4_MAX) -> int:
    """A path id, or 404 with ``message`` and ``code`` when no row could have it."""
    if not 0 < value <= maximum:
        raise NotFound(message, code=code)
    return value


def id_headers(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Response headers carrying this request's id (see ``app/middleware.py``)."""
    rid = current_request_id()
    headers = {"x-request-id": rid} if rid else {}
    return {**headers, **extra} if extra else headers


def ok(data: BaseModel | dict[str, Any] | list[Any], status: int = 200) -> HTTPResponse:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    return json_response(data, status=status, headers=id_headers(), ensure_ascii=False)
