"""Citizen catalogue API over HTTP: list, filters, search, the full guide, caching headers."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

pytestmark = pytest.mark.usefixtures("demo_catalogue")
ID_CARD = "GA-330100-0001"


async def test_list_pages_published_items(api: httpx.AsyncClient, demo_catalogue: Any) -> None:
    r = await api.get("/api/v1/items", params={"page_size": 5})
    assert r.status_code == 200
    data = r.json()
    assert data["total"] >= len(demo_catalogue.items) >= 20
    assert len(data["items"]) == 5 and data["page"] == 1
    first = data["items"][0]
    assert {
        "code",
        "name",
        "department",
        "online_depth",
        "promised_limit_days",
        "total_fee_fen",
    } <= set(first)
    page2 = (await api.get("/api/v1/items", params={"page_size": 5, "page": 2})).json()
    assert not {i["code"] for i in page2["items"]} & {i["code"] for i in data["items"]}


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"department": "GA"}, lambda i: i["department"]["code"] == "GA"),
        ({"theme": "出生一件事"}, lambda i: "出生一件事" in i["themes"]),
        ({"online_depth": "见一次面"}, lambda i: i["online_depth"] == "见一次面"),
        ({"channel": "alipay"}, lambda i: "alipay" in i["channels"]),
    ],
)
async def test_filters(api: httpx.AsyncClient, params: dict[str, str], check: Any) -> None:
    data = (await api.get("/api/v1/items", params={**params, "page_size": 100})).json()
    assert data["items"] and all(check(i) for i in data["items"])
    assert data["total"] == len(data["items"])


async def test_filters_combine_and_can_match_nothing(api: httpx.AsyncClient) -> None:
    data = (await api.get("/api/v1/items", params={"department": "MZ", "theme": "出入境"})).json()
    assert data == {"items": [], "total": 0, "page": 1, "page_size": 20}


@pytest.mark.parametrize("q", ["sfz", "身份证", "shenfenzheng"])
async def test_search_chinese_pinyin_initials(api: httpx.AsyncClient, q: str) -> None:
    data = (await api.get("/api/v1/items", params={"q": q})).json()
    assert data["items"] and all("身份证" in i["name"] for i in data["items"][:3])


async def test_search_with_filter(api: httpx.AsyncClient) -> None:
    data = (await api.get("/api/v1/items", params={"q": "gjj", "department": "GJJ"})).json()
    assert {i["name"] for i in data["items"]} == {
        "住房公积金提取（租房）",
        "住房公积金提取（购买自住住房）",
        "单位住房公积金缴存登记",  # 企业开办一件事 (issue 15)
    }


async def test_detail_is_the_full_guide(api: httpx.AsyncClient) -> None:
    r = await api.get(f"/api/v1/items/{ID_CARD}")
    assert r.status_code == 200
    g = r.json()
    assert g["name"] == "居民身份证换领" and g["department"]["code"] == "GA"
    assert g["fees"][0]["amount_fen"] == 2000 and g["fees"][0]["nontax_code"]
    assert g["total_fee_fen"] == 2000 and g["fee_timing"] == "submission"
    assert g["materials"][0]["elicence_type"] == "居民身份证"
    assert g["special_stages"] and g["legal_limit_days"] >= g["promised_limit_days"]
    assert g["form_schema"]["fields"] and g["faq"] and g["version"] >= 1
    for key in (
        "legal_basis",
        "conditions",
        "steps",
        "online_depth",
        "visits",
        "delivery_options",
        "required_realname_level",
        "channels",
        "consult_phone",
        "complaint_phone",
        "version_id",
    ):
        assert key in g


async def test_detail_etag_and_not_modified(api: httpx.AsyncClient) -> None:
    r = await api.get(f"/api/v1/items/{ID_CARD}")
    etag = r.headers["etag"]
    assert "max-age" in r.headers["cache-control"]
    again = await api.get(f"/api/v1/items/{ID_CARD}", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""


async def test_unknown_item_is_404_in_the_envelope(api: httpx.AsyncClient) -> None:
    r = await api.get("/api/v1/items/NO-SUCH-ITEM")
    assert r.status_code == 404
    body = r.json()
    assert body["error"]["code"] == "ITEM_NOT_FOUND" and body["request_id"]


@pytest.mark.parametrize(
    "params",
    [
        {"online_depth": "跑十次"},
        {"channel": "fax"},
        {"page": "0"},
        {"page_size": "1000"},
        {"q": "长" * 51},
        {"page": "abc"},
    ],
)
async def test_bad_filters_are_422(api: httpx.AsyncClient, params: dict[str, str]) -> None:
    r = await api.get("/api/v1/items", params=params)
    assert r.status_code == 422
    assert r.json()["error"]["code"] == "VALIDATION_FAILED"


async def test_facets(api: httpx.AsyncClient) -> None:
    data = (await api.get("/api/v1/items/facets")).json()
    codes = {d["code"] for d in data["departments"]}
    assert {"GA", "RS", "MZ", "SJ", "WJ"} <= codes
    assert any(t["name"] == "出生一件事" and t["count"] >= 3 for t in data["themes"])


async def test_search_items_for_wechat_answers(server: Any) -> None:
    from app.catalogue.service import search_items

    found = await search_items("sfz", 2)
    assert len(found) == 2
    assert set(found[0]) == {"code", "name", "department", "url"}
    assert found[0]["department"] == "市公安局"
    assert found[0]["url"].endswith(f"/h5/guide/{found[0]['code']}")
    assert await search_items("没有这种事项啊") == []


async def test_hits_are_served_from_one_snapshot(api: httpx.AsyncClient, server: Any) -> None:
    cache = server.app.ctx.catalogue
    await api.get(f"/api/v1/items/{ID_CARD}")
    snap = cache._snap
    for _ in range(5):
        assert (await api.get(f"/api/v1/items/{ID_CARD}")).status_code == 200
    assert cache._snap is snap


async def test_openapi_documents_the_catalogue(api: httpx.AsyncClient) -> None:
    spec = (await api.get("/docs/openapi.json")).json()
    assert "/api/v1/items/{code}" in spec["paths"]
    assert "/api/v1/staff/items/{code}/publish" in spec["paths"]


async def test_etag_follows_content_not_generation(api: httpx.AsyncClient, server: Any) -> None:
    first = (await api.get(f"/api/v1/items/{ID_CARD}")).headers["etag"]
    await server.app.ctx.catalogue.bump()  # some other item changed
    assert (await api.get(f"/api/v1/items/{ID_CARD}")).headers["etag"] == first
