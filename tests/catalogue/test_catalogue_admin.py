"""Staff catalogue API (role admin, own department): create, edit as a new version, publish,
unpublish; cases keep their version; other departments and other roles are kept out."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import httpx
import pytest

from tests.catalogue.conftest import guide, new_code

STAFF = "/api/v1/staff/items"


def new_dept() -> str:
    return f"T{uuid.uuid4().hex[:8].upper()}"


@pytest.fixture(scope="module")
async def admin(staff: Any) -> Any:
    """One admin of a fresh department for the tests that need no isolation."""
    return await staff(roles=["admin"], department=new_dept())


async def create(api: httpx.AsyncClient, admin: Any, **overrides: Any) -> dict[str, Any]:
    body = {"code": new_code(), "basic_code": "000199000000", **guide(**overrides)}
    r = await api.post(STAFF, json=body, headers=admin.headers)
    assert r.status_code == 201, r.text
    return r.json()


async def test_lifecycle_create_publish_edit_unpublish(
    api: httpx.AsyncClient, staff: Any, server: Any
) -> None:
    admin = await staff(roles=["admin"], department=new_dept())
    item = await create(api, admin, name="测试证明开具")
    code = item["code"]
    assert item["published"] is False and item["latest_version"] == 1
    assert item["department"]["code"] == admin.department_code
    # unpublished: invisible to citizens
    assert (await api.get(f"/api/v1/items/{code}")).status_code == 404

    r = await api.post(f"{STAFF}/{code}/publish", json={}, headers=admin.headers)
    assert r.status_code == 200 and r.json()["published_version"] == 1
    r1 = await api.get(f"/api/v1/items/{code}")
    g1, etag1 = r1.json(), r1.headers["etag"]
    assert g1["name"] == "测试证明开具" and g1["version"] == 1
    found = (await api.get("/api/v1/items", params={"q": "cszmkj"})).json()["items"]
    assert [i["code"] for i in found] == [code]

    # edit: a new version, the published one stays until publish
    r = await api.put(
        f"{STAFF}/{code}",
        json=guide(name="测试证明开具（新版）", promised_limit_days=3),
        headers=admin.headers,
    )
    assert r.status_code == 200, r.text
    edited = r.json()
    assert edited["latest_version"] == 2 and edited["published_version"] == 1
    assert [v["version"] for v in edited["versions"]] == [1, 2]
    assert edited["latest"]["name"] == "测试证明开具（新版）"
    assert (await api.get(f"/api/v1/items/{code}")).json()["version"] == 1

    r = await api.post(f"{STAFF}/{code}/publish", json={"version": 2}, headers=admin.headers)
    assert r.json()["published_version"] == 2
    r2 = await api.get(f"/api/v1/items/{code}")
    g2 = r2.json()
    assert g2["name"] == "测试证明开具（新版）" and g2["promised_limit_days"] == 3
    assert r2.headers["etag"] != etag1

    # the version a case was filed under is still there, unchanged
    from app.catalogue.service import guide_for_version

    old = await guide_for_version(g1["version_id"])
    assert old["name"] == "测试证明开具" and old["version"] == 1
    v1 = (await api.get(f"{STAFF}/{code}/versions/1", headers=admin.headers)).json()
    assert v1["version_id"] == g1["version_id"]

    r = await api.post(f"{STAFF}/{code}/unpublish", headers=admin.headers)
    assert r.status_code == 200 and r.json()["published"] is False
    assert (await api.get(f"/api/v1/items/{code}")).status_code == 404
    assert (await api.get("/api/v1/items", params={"q": "cszmkj"})).json()["total"] == 0
    listed = (await api.get(STAFF, headers=admin.headers)).json()["items"]
    assert [(i["code"], i["published"]) for i in listed] == [(code, False)]


async def test_rollback_by_publishing_an_older_version(api: httpx.AsyncClient, admin: Any) -> None:
    code = (await create(api, admin, name="回滚测试事项"))["code"]
    await api.put(f"{STAFF}/{code}", json=guide(name="回滚测试事项二"), headers=admin.headers)
    await api.post(f"{STAFF}/{code}/publish", json={}, headers=admin.headers)
    assert (await api.get(f"/api/v1/items/{code}")).json()["version"] == 2
    await api.post(f"{STAFF}/{code}/publish", json={"version": 1}, headers=admin.headers)
    assert (await api.get(f"/api/v1/items/{code}")).json()["name"] == "回滚测试事项"
    r = await api.post(f"{STAFF}/{code}/publish", json={"version": 9}, headers=admin.headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "VERSION_NOT_FOUND"


async def test_other_department_sees_nothing(api: httpx.AsyncClient, staff: Any) -> None:
    owner = await staff(roles=["admin"], department=new_dept())
    other = await staff(roles=["admin"], department=new_dept())
    code = (await create(api, owner))["code"]
    h = other.headers
    for method, path, body in [
        ("GET", f"{STAFF}/{code}", None),
        ("PUT", f"{STAFF}/{code}", guide()),
        ("GET", f"{STAFF}/{code}/versions/1", None),
        ("POST", f"{STAFF}/{code}/publish", {}),
        ("POST", f"{STAFF}/{code}/unpublish", None),
    ]:
        r = await api.request(method, path, json=body, headers=h)
        assert r.status_code == 404, (method, path, r.text)
    assert (await api.get(STAFF, headers=h)).json()["items"] == []
    # nor may it create items for another department
    body = {"code": new_code(), "basic_code": "1", "department": owner.department_code, **guide()}
    r = await api.post(STAFF, json=body, headers=h)
    assert r.status_code == 403 and r.json()["error"]["code"] == "OTHER_DEPARTMENT"


async def test_only_admins(api: httpx.AsyncClient, staff: Any, citizen: Any) -> None:
    clerk = await staff(roles=["clerk", "reviewer"], department=new_dept())
    assert (await api.get(STAFF, headers=clerk.headers)).status_code == 403
    body = {"code": new_code(), "basic_code": "1", **guide()}
    assert (await api.post(STAFF, json=body, headers=clerk.headers)).status_code == 403
    assert (await api.get(STAFF)).status_code == 401
    person = await citizen()
    assert (await api.get(STAFF, headers=person.headers)).status_code == 401


async def test_duplicate_code_is_409(api: httpx.AsyncClient, admin: Any) -> None:
    code = (await create(api, admin))["code"]
    body = {"code": code, "basic_code": "1", **guide()}
    r = await api.post(STAFF, json=body, headers=admin.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "ITEM_CODE_TAKEN"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"promised_limit_days": 30, "legal_limit_days": 20}, "body"),
        (
            {
                "fees": [
                    {
                        "name": "工本费",
                        "amount_fen": 10.5,
                        "nontax_code": "1",
                        "collecting_unit_code": "1",
                    }
                ]
            },
            "fees.0.amount_fen",
        ),
        ({"online_depth": "随便"}, "online_depth"),
        (
            {"form_schema": {"fields": [{"name": "kind", "label": "类型", "type": "select"}]}},
            "form_schema.fields.0",
        ),
        ({"materials": [{"code": "M01", "name": "甲"}, {"code": "M01", "name": "乙"}]}, "body"),
        ({"unknown_field": 1}, "unknown_field"),
        ({"delivery_options": []}, "delivery_options"),
    ],
)
async def test_invalid_guides_are_422_and_write_nothing(
    api: httpx.AsyncClient, admin: Any, overrides: dict[str, Any], field: str
) -> None:
    code = new_code()
    body = {"code": code, "basic_code": "1", **guide(**overrides)}
    r = await api.post(STAFF, json=body, headers=admin.headers)
    assert r.status_code == 422, r.text
    assert field in r.json()["error"]["fields"], r.json()
    assert (await api.get(f"{STAFF}/{code}", headers=admin.headers)).status_code == 404


async def test_edit_invalidates_other_workers_within_a_second(
    api: httpx.AsyncClient, admin: Any, kv: Any
) -> None:
    """A second worker (its own cache on the same store) sees a publish after its check."""
    from app.catalogue.cache import CatalogueCache

    code = (await create(api, admin, name="多进程缓存测试"))["code"]
    other = CatalogueCache(lambda: kv, check_every=0)
    assert code not in (await other.snapshot()).details
    await api.post(f"{STAFF}/{code}/publish", json={}, headers=admin.headers)
    seen = False
    for _ in range(100):
        if code in (await other.snapshot()).details:
            seen = True
            break
        await asyncio.sleep(0.01)
    await other.close()
    assert seen


async def test_a_case_keeps_the_version_it_was_filed_under(
    api: httpx.AsyncClient, admin: Any, citizen: Any
) -> None:
    code = (await create(api, admin, name="版本保持测试", required_realname_level=1))["code"]
    await api.post(f"{STAFF}/{code}/publish", json={}, headers=admin.headers)
    person = await citizen()
    r = await api.post(
        "/api/v1/cases", json={"item_code": code, "channel": "app"}, headers=person.headers
    )
    assert r.status_code == 201, r.text
    case_id = r.json()["id"]
    await api.put(
        f"{STAFF}/{code}",
        json=guide(name="版本保持测试（新）", required_realname_level=1),
        headers=admin.headers,
    )
    await api.post(f"{STAFF}/{code}/publish", json={}, headers=admin.headers)
    assert (await api.get(f"/api/v1/items/{code}")).json()["version"] == 2
    case = (await api.get(f"/api/v1/cases/{case_id}", headers=person.headers)).json()
    assert case["item"]["version"] == 1 and case["item"]["name"] == "版本保持测试"
