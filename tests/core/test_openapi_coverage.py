"""Every endpoint of our API is documented with its request and response schemas."""

from __future__ import annotations

import re

import httpx

# platform callbacks answer in the platform's own words, and streams are not JSON
UNDOCUMENTED_BODIES = ("/callbacks/", "/stream")
NO_INPUT_ACTIONS = ("/logout", "/step-up/otp")  # the latter: a code to the phone on file
METHODS = ("get", "post", "put", "patch", "delete")
PAGES = ("/h5", "/console")  # the built front ends: pages, not API


async def test_every_route_is_in_the_openapi_document(api: httpx.AsyncClient, server) -> None:
    spec = (await api.get("/docs/openapi.json")).json()
    documented = {
        (method.upper(), path)
        for path, ops in spec["paths"].items()
        for method in ops
        if method in METHODS
    }
    missing = []
    for route in server.app.router.routes:
        path = "/" + route.path
        if path.startswith(("/docs", *PAGES)) or "static" in route.name:
            continue
        oas_path = re.sub(r"<(\w+)(?::[^>]*)?>", r"{\1}", path)
        for method in route.methods:
            if method in {"HEAD", "OPTIONS"}:
                continue
            if (method, oas_path) not in documented:
                missing.append(f"{method} {oas_path}")
    assert not missing, f"routes missing from OpenAPI: {sorted(missing)}"


async def test_every_operation_has_schemas(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/docs/openapi.json")).json()
    problems = []
    for path, ops in spec["paths"].items():
        if any(marker in path for marker in UNDOCUMENTED_BODIES):
            continue
        for method, op in ops.items():
            if method not in METHODS:
                continue
            responses = op.get("responses", {})
            has_schema = any(
                "schema" in media
                for response in responses.values()
                for media in response.get("content", {}).values()
            )
            if not has_schema:
                problems.append(f"{method.upper()} {path}: no response schema")
            if (
                method in {"post", "put", "patch"}
                and "requestBody" not in op
                and not path.endswith(NO_INPUT_ACTIONS)
            ):
                params = [p for p in op.get("parameters", []) if p.get("in") == "path"]
                if not params:  # an action on a resource may carry no body at all
                    problems.append(f"{method.upper()} {path}: no request body schema")
    assert not problems, "\n".join(sorted(problems))


async def test_error_envelope_lists_the_catalogued_codes(api: httpx.AsyncClient) -> None:
    from app.api_docs import ERROR_SCHEMA
    from app.error_codes import CATALOGUE

    spec = (await api.get("/docs/openapi.json")).json()
    code = spec["components"]["schemas"][ERROR_SCHEMA]["properties"]["error"]["properties"]["code"]
    assert sorted(code["enum"]) == sorted(CATALOGUE)
    assert "| `CASE_NOT_FOUND` | 404 |" in code["description"]
