"""The OpenAPI document validates with an independent validator (openapi-spec-validator),
is 3.1 with named component schemas, and says what a client needs: an example for every
request body (valid against its schema) and the error envelope on every error answer."""

from __future__ import annotations

import json
from typing import Any

import httpx
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

METHODS = ("get", "post", "put", "patch", "delete")


async def _spec(api: httpx.AsyncClient) -> dict[str, Any]:
    r = await api.get("/docs/openapi.json")
    assert r.status_code == 200
    return dict(r.json())


def _operations(spec: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(m, p, op) for p, item in spec["paths"].items() for m, op in item.items()
            if m in METHODS]


async def test_the_document_validates(api: httpx.AsyncClient) -> None:
    spec = await _spec(api)
    assert spec["openapi"] == "3.1.0"
    validate(spec)  # resolves every $ref as it goes
    text = json.dumps(spec)
    assert "#/$defs/" not in text and '"nullable"' not in text
    assert len(spec["components"]["schemas"]) > 100


async def test_bodies_have_valid_examples_and_literals_are_enums(api: httpx.AsyncClient) -> None:
    spec = await _spec(api)
    problems = []
    for method, path, op in _operations(spec):
        for media_type, media in op.get("requestBody", {}).get("content", {}).items():
            if "example" not in media:
                problems.append(f"{method} {path} {media_type}: no example")
                continue
            schema = {**media["schema"], "components": spec["components"]}
            for err in OAS31Validator(schema).iter_errors(media["example"]):
                problems.append(f"{method} {path}: example: {err.message}")
    assert not problems, "\n".join(problems)
    schemas = spec["components"]["schemas"]
    assert schemas["TicketType"]["enum"] == ["consult", "complaint", "suggestion", "help",
                                             "report"]
    assert "required" in schemas["OtpLogin"] and "phone" in schemas["OtpLogin"]["required"]


async def test_error_answers_carry_the_envelope(api: httpx.AsyncClient) -> None:
    spec = await _spec(api)
    error = spec["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "request_id"]
    missing = []
    for method, path, op in _operations(spec):
        errors = {s: r for s, r in op["responses"].items() if s[0] in "45"}
        if (op.get("requestBody") or op.get("security")) and not errors:
            missing.append(f"{method} {path}")
        for status, answer in errors.items():
            if "$ref" in answer:
                answer = spec["components"]["responses"][answer["$ref"].rsplit("/", 1)[1]]
            media = answer.get("content", {}).get("application/json", {})
            if media.get("schema", {}).get("$ref") != "#/components/schemas/Error":
                # answers that document their own body: a verification's 404 says
                # "unknown", the readiness probe's 503 says what is down
                if "/verify/" not in path and path != "/readyz":
                    missing.append(f"{method} {path} {status}: not the envelope")
    assert not missing, "\n".join(missing)
