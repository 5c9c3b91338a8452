"""No 5xx from input: ids and keys bounded to their columns at the edge, empty bodies refused
where a body is required, and every 429 says when to come back (issue 17, problem 6)."""

from __future__ import annotations

import httpx

from tests.support.pii_registry import new_ip, new_phone

INT4_OVERFLOW = 2**31


async def test_a_path_id_beyond_its_column_is_404(api: httpx.AsyncClient, citizen) -> None:
    person = await citizen()
    for path in (f"/api/v1/cases/{INT4_OVERFLOW}", "/api/v1/cases/0", "/api/v1/cases/-1",
                 f"/api/v1/cases/{2**70}"):
        r = await api.get(path, headers=person.headers)
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"]["code"] == "NOT_FOUND"


async def test_a_path_key_longer_than_its_column_is_404(api: httpx.AsyncClient, citizen) -> None:
    person = await citizen()
    r = await api.get(f"/api/v1/payments/orders/{'A' * 33}", headers=person.headers)
    assert r.status_code == 404, r.text
    r = await api.delete(f"/api/v1/consents/{'x' * 33}", headers=person.headers)
    assert r.status_code == 404, r.text


async def test_query_and_body_integers_beyond_int4_are_422(
    api: httpx.AsyncClient, citizen
) -> None:
    person = await citizen()
    r = await api.get("/api/v1/payments/orders", params={"case_id": INT4_OVERFLOW},
                      headers=person.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["fields"] == {"case_id": "超出允许范围"}
    r = await api.post("/api/v1/cases", json={"item_id": INT4_OVERFLOW}, headers=person.headers)
    assert r.status_code == 422, r.text
    assert "item_id" in r.json()["error"]["fields"]


async def test_a_required_body_may_not_be_empty(api: httpx.AsyncClient, citizen) -> None:
    person = await citizen()
    r = await api.put("/api/v1/push/preferences", headers=person.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["fields"] == {"body": "必填"}
    r = await api.put("/api/v1/push/preferences", json={}, headers=person.headers)
    assert r.status_code == 200, r.text


async def test_every_429_carries_retry_after(api: httpx.AsyncClient) -> None:
    phone, headers = new_phone(), {"X-Forwarded-For": new_ip()}
    assert (await api.post("/api/v1/auth/otp", json={"phone": phone}, headers=headers)
            ).status_code == 200
    r = await api.post("/api/v1/auth/otp", json={"phone": phone}, headers=headers)
    assert r.status_code == 429, r.text
    assert 0 < int(r.headers["retry-after"]) <= 60


async def test_the_bounds_are_in_the_openapi_document(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/docs/openapi.json")).json()
    [param] = spec["paths"]["/api/v1/cases/{case_id}"]["get"]["parameters"]
    assert param["schema"]["maximum"] == 2**31 - 1 and param["schema"]["minimum"] == 1
    [param] = spec["paths"]["/api/v1/payments/orders/{out_trade_no}"]["get"]["parameters"]
    assert param["schema"]["maxLength"] == 32


async def test_a_nul_character_is_refused_before_the_database(
    api: httpx.AsyncClient, citizen
) -> None:
    person = await citizen()
    r = await api.post("/api/v1/cases", json={"item_code": "GA\u0000001"},
                       headers=person.headers)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["fields"] == {"body": "不能包含空字符"}
