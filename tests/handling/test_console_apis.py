"""Small endpoints the console needs: staff logout, the campaign list and an audience's size
before a campaign exists (another department 404, a missing role 403)."""

from __future__ import annotations

import uuid
from typing import Any

from tests.cases.conftest import filed_case, make_item


async def test_staff_logout_ends_the_login(api: Any, staff: Any) -> None:
    clerk = await staff(roles=["clerk"])
    r = await api.post("/api/v1/staff/auth/logout", headers=clerk.headers)
    assert r.status_code == 200
    r = await api.get("/api/v1/staff/auth/me", headers=clerk.headers)
    assert r.status_code == 401 and r.json()["error"]["code"] == "TOKEN_REVOKED"
    r = await api.post("/api/v1/staff/auth/refresh", json={"refresh_token": clerk.refresh})
    assert r.status_code == 401


async def test_campaign_list_and_audience_count(api: Any, staff: Any, citizen: Any) -> None:
    dept = f"Q{uuid.uuid4().hex[:6]}"
    operator = await staff(roles=["operator"], department=dept)
    other = await staff(roles=["operator"], department=f"R{uuid.uuid4().hex[:6]}")
    clerk = await staff(roles=["clerk"], department=dept)
    item = await make_item(operator.department_id)
    for _ in range(2):
        await filed_case(api, (await citizen()).headers, item)
    audience = {"kind": "department", "department_id": operator.department_id}
    r = await api.post("/api/v1/staff/push/audience", headers=operator.headers,
                       json={"audience": audience})
    assert r.status_code == 200, r.text
    assert r.json()["audience_size"] == 2 and r.json()["quiet_hours"]
    r = await api.post("/api/v1/staff/push/audience", headers=operator.headers,
                       json={"audience": {"kind": "item_state", "item_id": item["id"],
                                          "status": "submitted"}})
    assert r.json()["audience_size"] == 2
    r = await api.post("/api/v1/staff/push/audience", headers=other.headers,
                       json={"audience": audience})
    assert r.status_code == 404
    r = await api.post("/api/v1/staff/push/audience", headers=clerk.headers,
                       json={"audience": audience})
    assert r.status_code == 403
    r = await api.post("/api/v1/staff/push/audience", headers=operator.headers,
                       json={"audience": {"kind": "item_state"}})
    assert r.status_code == 422

    r = await api.post("/api/v1/staff/push/campaigns", headers=operator.headers, json={
        "title": "通知", "body": "办事大厅周六照常开放。", "audience": audience})
    assert r.status_code == 201
    r = await api.get("/api/v1/staff/push/campaigns", headers=operator.headers)
    assert [c["title"] for c in r.json()["items"]] == ["通知"] and r.json()["total"] == 1
    r = await api.get("/api/v1/staff/push/campaigns", headers=other.headers)
    assert r.json()["total"] == 0
    r = await api.get("/api/v1/staff/push/campaigns", headers=clerk.headers)
    assert r.status_code == 403
