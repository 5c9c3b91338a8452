"""Small helpers that keep handlers thin: parse and validate with pydantic, document in
OpenAPI, answer JSON."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Annotated, Any, TypeVar, get_args, get_origin

import annotated_types
from pydantic import BaseModel, ValidationError
from sanic import HTTPResponse
from sanic.response import json as json_response
from sanic_ext import openapi
from sanic_ext.extensions.openapi.builders import OperationStore
from sanic_ext.extensions.openapi.types import Binary

from app.api_docs import ERROR_SCHEMA, RawSchema, query_parameter_schema, schema_of
from app.context import AppRequest
from app.error_codes import CATALOGUE, codes_in
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
    if _has_nul(data):  # PostgreSQL text and jsonb cannot hold U+0000: refuse it here
        raise ValidationFailed("提交的内容包含无效字符", fields={"body": "不能包含空字符"})
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(fields=validation_fields(exc)) from exc
    if fields := out_of_column_range(parsed):
        raise ValidationFailed(fields=fields)
    return parsed


def _has_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 64:  # deeper than any model; the JSON parser's own limit guards the rest
        return False
    if isinstance(value, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v, depth + 1) for v in value)
    return False


def out_of_column_range(value: BaseModel, prefix: str = "") -> dict[str, str]:
    """Integers a column could not hold, by field. A field that states its own upper bound
    (``le``/``lt``) is checked by pydantic; any other integer of a request is an id, a count
    or an amount of a 32-bit column, and a larger one would reach the database (PostgreSQL's
    int4 overflow is a 500). One rule for every body and query model, so none can forget it."""
    out: dict[str, str] = {}
    for name in _unbounded_int_fields(type(value)):
        for item in _ints(getattr(value, name, None)):
            if not -INT4_MAX - 1 <= item <= INT4_MAX:
                out[f"{prefix}{name}"] = "超出允许范围"
    for name in type(value).model_fields:
        for nested in _models(getattr(value, name, None)):
            out.update(out_of_column_range(nested, f"{prefix}{name}."))
    return out


_UNBOUNDED: dict[type[BaseModel], tuple[str, ...]] = {}


def _unbounded_int_fields(model: type[BaseModel]) -> tuple[str, ...]:
    if model not in _UNBOUNDED:
        _UNBOUNDED[model] = tuple(
            name for name, field in model.model_fields.items()
            if _has_int(field.annotation) and not _bounded(field.metadata)
            and not _bounded_inner(field.annotation)
        )
    return _UNBOUNDED[model]


def _has_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    return any(_has_int(arg) for arg in get_args(annotation))


def _bounded(metadata: list[Any]) -> bool:
    return any(isinstance(m, annotated_types.Le | annotated_types.Lt) for m in metadata)


def _bounded_inner(annotation: Any) -> bool:
    """``list[Annotated[int, Field(le=…)]]`` and ``Annotated[int, …] | None`` state their bound
    inside the annotation."""
    if get_origin(annotation) is Annotated:
        return _bounded([m for arg in get_args(annotation)[1:]
                         for m in getattr(arg, "metadata", [arg])])
    return any(_bounded_inner(arg) for arg in get_args(annotation))


def _ints(value: Any) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, list | tuple | set):
        return [v for v in value if isinstance(v, int) and not isinstance(v, bool)]
    return []


def _models(value: Any) -> list[BaseModel]:
    if isinstance(value, BaseModel):
        return [value]
    if isinstance(value, list | tuple):
        return [v for v in value if isinstance(v, BaseModel)]
    return []


def body(model: type[BaseModel], *, optional: bool = False) -> Callable[[Handler], Handler]:
    """Validate the JSON body into ``request.ctx.body``. A request without a body answers 422
    (``fields: {"body": "必填"}``) unless ``optional``: an action whose every field has a
    default (withdraw with no reason) may be posted bare, a write (PUT preferences) may not."""

    def decorator(handler: Handler) -> Handler:
        @wraps(handler)
        async def wrapper(request: AppRequest, *args: Any, **kwargs: Any) -> Any:
            try:
                data = request.json if request.body else None
            except Exception as exc:  # sanic raises BadRequest with an English message
                raise BadRequest("请求体不是合法的 JSON", code="MALFORMED_JSON") from exc
            if data is None:
                if not optional:
                    raise ValidationFailed("请求体不能为空", fields={"body": "必填"})
                data = {}
            request.ctx.body = parse(model, data)
            return await handler(request, *args, **kwargs)

        carry_docs(handler, wrapper)
        return openapi.body(
            {"application/json": schema_of(model, "validation")}, required=not optional
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
        _catalogued(status, description)
        by_status.setdefault(status, []).append(description)

    def decorator(handler: Handler) -> Handler:
        for status, descriptions in sorted(by_status.items()):
            handler = openapi.response(
                status, {"application/json": ERROR_REF}, " | ".join(dict.fromkeys(descriptions))
            )(handler)
        return handler

    return decorator


def _catalogued(status: int, description: str) -> None:
    """A documented answer names a catalogued code with its catalogued status, so a new code
    fails at import, not in review."""
    for code in codes_in(description) or [description]:
        entry = CATALOGUE.get(code)
        if entry is None:
            raise ValueError(f"error code {code!r} is not in app/error_codes.py")
        if status not in (entry.status, *entry.also):
            raise ValueError(f"error code {code!r} answers {entry.status}, not {status}")


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


def ok(
    data: BaseModel | dict[str, Any] | list[Any], status: int = 200,
    headers: dict[str, str] | None = None,
) -> HTTPResponse:
    if isinstance(data, BaseModel):
        data = data.model_dump(mode="json")
    return json_response(data, status=status, headers=id_headers(headers), ensure_ascii=False)
