from __future__ import annotations

import httpx


async def test_healthz(api: httpx.AsyncClient) -> None:
    r = await api.get("/healthz")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"
    assert r.headers["x-request-id"]


async def test_readyz_checks_database_and_kv(api: httpx.AsyncClient) -> None:
    r = await api.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json()["checks"] == {"database": "ok", "kv": "ok"}


async def test_request_id_is_echoed_when_sane(api: httpx.AsyncClient) -> None:
    r = await api.get("/healthz", headers={"X-Request-Id": "abc12345-trace"})
    assert r.headers["x-request-id"] == "abc12345-trace"
    r = await api.get("/healthz", headers={"X-Request-Id": "bad id with spaces"})
    assert r.headers["x-request-id"] != "bad id with spaces"


async def test_unknown_route_uses_the_error_envelope(api: httpx.AsyncClient) -> None:
    r = await api.get("/api/v1/no-such-thing")
    assert r.status_code == 404
    body = r.json()
    assert body["error"]["code"] == "NOT_FOUND"
    assert body["request_id"] == r.headers["x-request-id"]


async def test_openapi_document_and_browsable_docs(api: httpx.AsyncClient) -> None:
    r = await api.get("/docs/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert "/api/v1/auth/otp" in spec["paths"]
    assert "requestBody" in spec["paths"]["/api/v1/auth/otp"]["post"]
    r = await api.get("/docs")
    assert r.status_code == 200
    assert "<html" in r.text.lower()
