"""The API's OpenAPI 3.1 document and its viewer at ``/docs``.

Handlers say what they take and answer through ``app.handler_kit`` (sanic-ext's decorators
underneath). sanic-ext inlines pydantic models and drops their ``$defs``, so every model goes
through ``schema_of`` instead: a placeholder reference now, and when the document is built all
models are rendered at once by pydantic (``models_json_schema``, which also gives models of one
name in two modules distinct component names) into ``components.schemas``. The finished
document is OpenAPI 3.1, whose schemas are JSON Schema 2020-12, which is what pydantic writes.

The viewer is Swagger UI from the npm package ``swagger-ui-dist`` (in ``web/``'s lockfile),
copied into ``web/docs/dist`` by ``make web`` and served from there: no CDN.
"""

from __future__ import annotations

import copy
import json
import mimetypes
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter
from pydantic.json_schema import JsonSchemaMode, models_json_schema
from sanic import Blueprint, HTTPResponse, Sanic
from sanic.response import file
from sanic.response import json as json_response
from sanic_ext.extensions.openapi.builders import SpecificationBuilder
from sanic_ext.extensions.openapi.definitions import Reference
from sanic_ext.extensions.openapi.types import Schema

from app.context import AppRequest
from app.error_codes import CATALOGUE, describe

DIST = Path(__file__).resolve().parent.parent / "web" / "docs" / "dist"
UI_FILES = (
    "swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "oauth2-redirect.html",
    "oauth2-redirect.js",
)
PLACEHOLDER = "#/zsb-model/"
REF_TEMPLATE = "#/components/schemas/{model}"

# models by placeholder key, with the mode they are shown in (a request body validates,
# an answer serialises)
_MODELS: dict[str, tuple[type[BaseModel], JsonSchemaMode]] = {}


class RawSchema(Reference):
    """A JSON schema that sanic-ext passes through as it is (it would rebuild a plain dict
    as an object whose properties are the schema's keywords)."""

    def __init__(self, schema: dict[str, Any]) -> None:
        Schema.__init__(self, **schema)


def _key(model: type[BaseModel], mode: JsonSchemaMode) -> str:
    return f"{mode}:{model.__module__}.{model.__qualname__}"


def schema_of(tp: Any, mode: JsonSchemaMode = "serialization") -> dict[str, Any]:
    """A JSON schema for ``tp`` that refers to pydantic models by placeholder (a dict is
    taken as a schema already)."""
    if isinstance(tp, dict):
        return tp
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        key = _key(tp, mode)
        _MODELS[key] = (tp, mode)
        return {"$ref": PLACEHOLDER + key}
    # list[Model], dict[str, Model] …: the models inside become components too
    schema = TypeAdapter(tp).json_schema(mode=mode, ref_template=PLACEHOLDER + "{model}")
    defs = schema.pop("$defs", {})
    if defs:
        # pydantic names a nested model by its class name here; find the classes again
        for model in _models_inside(tp):
            _MODELS[_key(model, mode)] = (model, mode)
        names = {m.__name__: _key(m, mode) for m in _models_inside(tp)}
        schema = _rename_refs(schema, lambda ref: PLACEHOLDER + (names.get(ref) or ref))
    return schema


def query_parameter_schema(model: type[BaseModel], name: str) -> dict[str, Any]:
    """The schema of one query field, the enums it refers to written inline (a query
    parameter is a scalar: its schema needs no components)."""
    whole = model.model_json_schema()
    defs = whole.get("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(defs[node["$ref"].rsplit("/", 1)[-1]])
            return {k: inline(v) for k, v in node.items() if k != "title"}
        if isinstance(node, list):
            return [inline(v) for v in node]
        return node

    return dict(inline(whole.get("properties", {}).get(name, {})))


def _models_inside(tp: Any) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return [tp]
    for arg in getattr(tp, "__args__", ()):
        found.extend(_models_inside(arg))
    return found


def _rename_refs(node: Any, rename: Any) -> Any:
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(PLACEHOLDER):
                out[key] = rename(value[len(PLACEHOLDER):])
            else:
                out[key] = _rename_refs(value, rename)
        return out
    if isinstance(node, list):
        return [_rename_refs(v, rename) for v in node]
    return node


# -------------------------------------------------------------------------------- examples

# tried in turn against a string field's pattern
_PATTERN_CANDIDATES = (
    "123456", "13800138000", "2026-12-01", "09:00", "GA", "demo_01", "110101199003071234",
)


def example_of(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A plausible example value for ``schema`` (defaults, enums and formats first)."""
    if depth > 6:
        return None
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return example_of(components.get(name, {}), components, depth + 1)
    for key in ("examples",):
        if schema.get(key):
            return schema[key][0]
    if "example" in schema:
        return schema["example"]
    if "default" in schema and schema["default"] is not None:
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    for combo in ("anyOf", "oneOf", "allOf"):
        options = [s for s in schema.get(combo, []) if s.get("type") != "null"]
        if options:
            return example_of(options[0], components, depth + 1)
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), None)
    if kind == "object" or "properties" in schema:
        props = schema.get("properties", {})
        required = schema.get("required", list(props))
        return {
            name: example_of(sub, components, depth + 1)
            for name, sub in props.items()
            if name in required or depth == 0
        }
    if kind == "array":
        item = example_of(schema.get("items", {}), components, depth + 1)
        return [item] * max(1, int(schema.get("minItems", 1)))
    if kind == "integer":
        return max(1, int(schema.get("minimum", schema.get("exclusiveMinimum", 0)) or 1))
    if kind == "number":
        return float(schema.get("minimum", 1) or 1)
    if kind == "boolean":
        return True
    if kind == "string":
        return _string_example(schema)
    return None


def _string_example(schema: dict[str, Any]) -> str:
    fmt = schema.get("format")
    if fmt == "date":
        return "2026-12-01"
    if fmt == "date-time":
        return "2026-12-01T09:30:00+08:00"
    if fmt == "email":
        return "someone@example.cn"
    if fmt in {"uri", "url"}:
        return "https://example.cn/"
    pattern = schema.get("pattern")
    if pattern:
        for candidate in _PATTERN_CANDIDATES:
            if re.search(pattern, candidate):
                return candidate
    low = int(schema.get("minLength", 0) or 0)
    high = int(schema.get("maxLength", 0) or 0)
    text = "示例"
    if low > len(text):
        text = "1" * low
    if high and len(text) > high:
        text = text[:high]
    return text


# -------------------------------------------------------------------------------- document

ERROR_SCHEMA = "Error"
_DEFAULT_ANSWERS: dict[str, tuple[str, str]] = {
    "422": ("VALIDATION_FAILED", "the body or query does not pass validation"),
    "401": ("UNAUTHORIZED", "no valid token"),
    "403": ("FORBIDDEN", "the token's holder may not do this"),
}


def _error_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "The one error envelope: every 4xx and 5xx answer has this shape.",
        "properties": {
            "error": {
                "type": "object",
                "properties": {
                    "code": {"type": "string", "enum": list(CATALOGUE),
                             "description": "stable machine-readable code (app/error_codes.py):"
                                            "\n\n" + describe()},
                    "message": {"type": "string", "description": "for people, in Chinese"},
                    "fields": {"type": "object", "additionalProperties": True,
                               "description": "per-field problems (validation)"},
                },
                "required": ["code", "message", "fields"],
            },
            "request_id": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["error", "request_id"],
    }


def _error_response(codes: list[str], description: str) -> dict[str, Any]:
    ref = {"$ref": f"#/components/schemas/{ERROR_SCHEMA}"}
    examples = {
        code: {"value": {"error": {"code": code, "message": "…", "fields": {}},
                         "request_id": "3f2a9c0d1e2b00000001"}}
        for code in codes
    }
    media: dict[str, Any] = {"schema": ref}
    if examples:
        media["examples"] = examples
    return {"description": description, "content": {"application/json": media}}


_CODE = re.compile(r"^[A-Z][A-Z0-9_]+$")


def _clean_schema(node: Any) -> Any:
    """sanic-ext's own schemas (parameters, the few hand-written bodies) in 3.1 terms."""
    if isinstance(node, dict):
        out = {k: _clean_schema(v) for k, v in node.items() if k != "nullable"}
        if node.get("nullable") and isinstance(out.get("type"), str):
            out["type"] = [out["type"], "null"]
        if "anyOf" in out and "type" in out:  # sanic-ext puts a type beside pydantic's anyOf
            out.pop("type")
            out.pop("format", None)
        if isinstance(out.get("required"), bool):
            out.pop("required")
        return out
    if isinstance(node, list):
        return [_clean_schema(v) for v in node]
    return node


def _fix_operation(op: dict[str, Any], components: dict[str, Any]) -> None:
    for param in op.get("parameters", []):
        param["schema"] = _clean_schema(param.get("schema", {}))
    body = op.get("requestBody")
    if body:
        for media_type, media in body.get("content", {}).items():
            media["schema"] = _clean_schema(media.get("schema", {}))
            if "example" not in media and "examples" not in media:
                example = example_of(media["schema"], components)
                if media_type == "multipart/form-data" and isinstance(example, dict):
                    example = {k: v for k, v in example.items() if v is not None}
                media["example"] = example
    responses = op.setdefault("responses", {})
    for status, answer in list(responses.items()):
        answer.setdefault("description", "OK")
        for media in answer.get("content", {}).values():
            if media.get("schema", {}).get("$ref", "").endswith(f"/{ERROR_SCHEMA}"):
                codes = [c.strip() for c in answer["description"].split("|")]
                responses[status] = _error_response(
                    [c for c in codes if _CODE.match(c)], answer["description"]
                )
            else:
                media["schema"] = _clean_schema(media.get("schema", {}))
    needs = []
    if body or any(p.get("in") == "query" for p in op.get("parameters", [])):
        needs.append("422")
    if op.get("security"):
        needs += ["401", "403"]
    for status in needs:
        if status not in responses:
            responses[status] = {"$ref": f"#/components/responses/{_DEFAULT_ANSWERS[status][0]}"}
    if not responses:
        responses["200"] = {"description": "OK"}


@lru_cache(maxsize=8)
def _document(app_name: str) -> str:
    app = Sanic.get_app(app_name)
    raw: dict[str, Any] = SpecificationBuilder().build(app).serialize()
    keys = sorted(_MODELS)
    pairs = [(_MODELS[k][0], _MODELS[k][1]) for k in keys]
    refs, top = models_json_schema(pairs, ref_template=REF_TEMPLATE)
    names = {key: refs[(_MODELS[key][0], _MODELS[key][1])]["$ref"] for key in keys}
    schemas: dict[str, Any] = dict(sorted(top.get("$defs", {}).items()))
    schemas[ERROR_SCHEMA] = _error_schema()
    doc = _rename_refs(raw, lambda key: names[key])
    doc["openapi"] = "3.1.0"
    components = doc.setdefault("components", {})
    components["schemas"] = schemas
    components["responses"] = {
        code: _error_response([code], f"{code}: {why}") for code, why in _DEFAULT_ANSWERS.values()
    }
    for path, item in doc.get("paths", {}).items():
        for method, op in item.items():
            if isinstance(op, dict) and method in {"get", "post", "put", "patch", "delete"}:
                _fix_operation(op, schemas)
                op["operationId"] = re.sub(r"[^A-Za-z0-9_.]", "_", op["operationId"])
        del path
    return json.dumps(doc, ensure_ascii=False)


def openapi_document(app: Sanic) -> dict[str, Any]:
    return copy.deepcopy(json.loads(_document(app.name)))


# -------------------------------------------------------------------------------- viewer

PAGE = Path(__file__).resolve().parent / "docs_ui" / "swagger.html"


def docs_config() -> dict[str, Any]:
    """sanic-ext's settings for ``/docs``: its Swagger route with our page, which loads
    Swagger UI from ``/docs/ui/`` (no CDN)."""
    return {
        "OAS_URL_PREFIX": "/docs",
        "OAS_UI_DEFAULT": "swagger",
        "OAS_UI_SWAGGER": True,
        "OAS_UI_REDOC": False,
        "OAS_PATH_TO_SWAGGER_HTML": str(PAGE),
        "OAS_UI_SWAGGER_HTML_TITLE": "掌上办 API",
        "OAS_AUTODOC": False,
    }


def install_docs(app: Sanic) -> None:
    """``/docs/ui/…`` (Swagger UI's files); ``/docs/openapi.json`` answers with the finished
    document and ``/docs/oauth2-redirect.html`` with the local copy (sanic-ext's own handlers
    would build the raw 3.0 document and fetch the page from a CDN)."""
    bp = Blueprint("api_docs_ui", url_prefix="/docs/ui")

    @bp.get("/<name:str>", name="file")
    async def ui_file(request: AppRequest, name: str) -> HTTPResponse:
        return await _dist_file(name)

    app.blueprint(bp)

    @app.before_server_start(priority=1)  # type: ignore[arg-type, call-arg]  # sanic's stub
    async def answer_with_our_handlers(app: Sanic) -> None:
        for route in app.router.routes:
            if route.name.endswith("openapi.spec"):
                route.handler = _spec_handler
            elif route.name.endswith("openapi.oauth2-redirect"):
                route.handler = _oauth2_redirect


async def _dist_file(name: str) -> HTTPResponse:
    path = DIST / name
    if name not in UI_FILES or not path.is_file():
        return HTTPResponse("Not Found", status=404, content_type="text/plain; charset=utf-8")
    return await file(path, mime_type=mimetypes.guess_type(name)[0],
                      headers={"cache-control": "public, max-age=3600"})


async def _spec_handler(request: AppRequest) -> HTTPResponse:
    return json_response(openapi_document(request.app), ensure_ascii=False)


async def _oauth2_redirect(request: AppRequest) -> HTTPResponse:
    return await _dist_file("oauth2-redirect.html")
