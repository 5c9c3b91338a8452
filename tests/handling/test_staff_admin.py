"""Staff administration: departments, accounts, roles, deactivation that revokes tokens at
once, password resets; only admins (403 for anyone else)."""

from __future__ import annotations

import uuid
from typing import Any

ADMIN = "/api/v1/staff/admin"


async def _login(api: Any, username: str, password: str) -> Any:
    return await api.post("/api/v1/staff/auth/login",
                          json={"username": username, "password": password})


async def test_departments(api: Any, team: dict[str, Any]) -> None:
    admin = team["admin"].headers
    code = f"D{uuid.uuid4().hex[:6]}"
    r = await api.post(f"{ADMIN}/departments", headers=admin, json={"code": code, "name": "测试局"})
    assert r.status_code == 201, r.text
    dept = r.json()
    r = await api.post(f"{ADMIN}/departments", headers=admin, json={"code": code, "name": "另一个"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "DEPARTMENT_EXISTS"
    r = await api.patch(f"{ADMIN}/departments/{dept['id']}", headers=admin,
                        json={"phone": "0571-12345"})
    assert r.status_code == 200 and r.json()["phone"] == "0571-12345"
    r = await api.patch(f"{ADMIN}/departments/999999", headers=admin, json={"phone": "1"})
    assert r.status_code == 404
    listed = (await api.get(f"{ADMIN}/departments", headers=admin)).json()["items"]
    assert any(d["code"] == code for d in listed)


async def test_account_lifecycle_revokes_tokens_at_once(api: Any, team: dict[str, Any]) -> None:
    admin = team["admin"].headers
    username = f"u_{uuid.uuid4().hex[:8]}"
    r = await api.post(f"{ADMIN}/accounts", headers=admin, json={
        "username": username, "display_name": "王五", "roles": ["clerk"],
        "department_id": team["clerk"].department_id})
    assert r.status_code == 201, r.text
    account = r.json()
    password = account.pop("temporary_password")
    assert len(password) >= 10 and account["roles"] == ["clerk"]
    r = await api.post(f"{ADMIN}/accounts", headers=admin, json={
        "username": username, "display_name": "重名", "roles": ["clerk"],
        "department_id": team["clerk"].department_id, "password": "0123456789ab"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "USERNAME_TAKEN"

    login = (await _login(api, username, password)).json()
    mine = {"Authorization": f"Bearer {login['access_token']}"}
    assert (await api.get("/api/v1/staff/workbench/queue", headers=mine)).status_code == 200

    r = await api.patch(f"{ADMIN}/accounts/{account['id']}", headers=admin,
                        json={"roles": ["clerk", "reviewer"]})
    assert r.status_code == 200 and r.json()["roles"] == ["clerk", "reviewer"]
    r = await api.get("/api/v1/staff/workbench/queue", headers=mine)
    assert r.status_code == 401 and r.json()["error"]["code"] == "TOKEN_REVOKED"

    login = (await _login(api, username, password)).json()
    mine = {"Authorization": f"Bearer {login['access_token']}"}
    r = await api.post(f"{ADMIN}/accounts/{account['id']}/deactivate", headers=admin,
                       json={"reason": "离职"})
    assert r.status_code == 200 and r.json()["active"] is False
    r = await api.get("/api/v1/staff/workbench/queue", headers=mine)
    assert r.status_code == 401  # at once, not when the access token runs out
    r = await api.post("/api/v1/staff/auth/refresh", json={"refresh_token": login["refresh_token"]})
    assert r.status_code == 401
    assert (await _login(api, username, password)).status_code == 401

    r = await api.post(f"{ADMIN}/accounts/{account['id']}/activate", headers=admin)
    assert r.status_code == 200 and r.json()["active"] is True
    r = await api.post(f"{ADMIN}/accounts/{account['id']}/password", headers=admin,
                       json={"password": "a new long password"})
    assert r.status_code == 200 and "temporary_password" not in {
        k for k, v in r.json().items() if v}
    assert (await _login(api, username, password)).status_code == 401
    assert (await _login(api, username, "a new long password")).status_code == 200

    r = await api.get(f"{ADMIN}/accounts", headers=admin,
                      params={"q": username, "department_id": team["clerk"].department_id})
    assert [a["username"] for a in r.json()["items"]] == [username]


async def test_admin_guards(api: Any, team: dict[str, Any]) -> None:
    admin = team["admin"]
    r = await api.post(f"{ADMIN}/accounts/{admin.id}/deactivate", headers=admin.headers,
                       json={"reason": "测试"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "CANNOT_DEACTIVATE_SELF"
    r = await api.post(f"{ADMIN}/accounts/999999/deactivate", headers=admin.headers,
                       json={"reason": "测试"})
    assert r.status_code == 404
    r = await api.post(f"{ADMIN}/accounts", headers=admin.headers, json={
        "username": "short_pw", "display_name": "x", "roles": ["clerk"],
        "department_id": admin.department_id, "password": "short"})
    assert r.status_code == 422
    r = await api.post(f"{ADMIN}/accounts", headers=admin.headers, json={
        "username": "bad_role", "display_name": "x", "roles": ["wizard"],
        "department_id": admin.department_id})
    assert r.status_code == 422
    for who in ("clerk", "reviewer", "operator", "approver"):
        headers = team[who].headers
        assert (await api.get(f"{ADMIN}/accounts", headers=headers)).status_code == 403
        assert (await api.get(f"{ADMIN}/departments", headers=headers)).status_code == 403
        r = await api.post(f"{ADMIN}/accounts/{team['clerk'].id}/password", headers=headers,
                           json={})
        assert r.status_code == 403
