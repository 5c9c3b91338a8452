from __future__ import annotations

import httpx

from sandbox.runner import RunningSimulator
from tests.conftest import STAFF_PASSWORD, latest_sms_code
from tests.support.pii_registry import new_ip, new_phone


async def _request_code(api: httpx.AsyncClient, phone: str, ip: str) -> httpx.Response:
    return await api.post(
        "/api/v1/auth/otp", json={"phone": phone}, headers={"X-Forwarded-For": ip}
    )


async def test_otp_login_issues_a_token_pair_and_the_token_works(api, citizen) -> None:
    person = await citizen()
    r = await api.post("/api/v1/auth/logout", headers=person.headers)
    assert r.status_code == 200
    # the logged-out family's access token is refused at once
    r = await api.post("/api/v1/auth/logout", headers=person.headers)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "TOKEN_REVOKED"


async def test_same_phone_logs_into_the_same_person(citizen) -> None:
    first = await citizen()
    again = await citizen(phone=first.phone)
    assert again.person_id == first.person_id


async def test_code_is_single_use(api, sims: dict[str, RunningSimulator]) -> None:
    phone, ip = new_phone(), new_ip()
    assert (await _request_code(api, phone, ip)).status_code == 200
    code = await latest_sms_code(sims, phone)
    body = {"phone": phone, "code": code}
    assert (await api.post("/api/v1/auth/otp/login", json=body)).status_code == 200
    r = await api.post("/api/v1/auth/otp/login", json=body)
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "OTP_EXPIRED"


async def test_resend_waits_sixty_seconds(api) -> None:
    phone, ip = new_phone(), new_ip()
    assert (await _request_code(api, phone, ip)).status_code == 200
    r = await _request_code(api, phone, ip)
    assert r.status_code == 429
    err = r.json()["error"]
    assert err["code"] == "OTP_RESEND_TOO_SOON"
    assert 0 < err["fields"]["retry_after"] <= 60


async def test_five_wrong_codes_lock_the_phone(api, sims) -> None:
    phone, ip = new_phone(), new_ip()
    await _request_code(api, phone, ip)
    code = await latest_sms_code(sims, phone)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for attempt in range(4):
        r = await api.post("/api/v1/auth/otp/login", json={"phone": phone, "code": wrong})
        assert r.status_code == 400
        assert r.json()["error"]["fields"]["attempts_left"] == 4 - attempt
    r = await api.post("/api/v1/auth/otp/login", json={"phone": phone, "code": wrong})
    assert r.status_code == 429 and r.json()["error"]["code"] == "OTP_LOCKED"
    # even the right code no longer works, and no new code is sent
    r = await api.post("/api/v1/auth/otp/login", json={"phone": phone, "code": code})
    assert r.status_code == 429
    assert (await _request_code(api, phone, new_ip())).status_code == 429


async def test_rate_limit_per_ip(api, settings) -> None:
    ip = new_ip()
    for _ in range(settings.otp_per_ip_per_hour):
        assert (await _request_code(api, new_phone(), ip)).status_code == 200
    r = await _request_code(api, new_phone(), ip)
    assert r.status_code == 429 and r.json()["error"]["code"] == "OTP_RATE_LIMITED"


async def test_bad_phone_and_bad_code_shape_are_422(api) -> None:
    r = await api.post(
        "/api/v1/auth/otp", json={"phone": "12345678901"}, headers={"X-Forwarded-For": new_ip()}
    )
    assert r.status_code == 422
    assert "phone" in r.json()["error"]["fields"]
    r = await api.post("/api/v1/auth/otp/login", json={"phone": new_phone(), "code": "12ab"})
    assert r.status_code == 422
    assert r.headers["x-request-id"] == r.json()["request_id"]
    assert r.json()["error"]["fields"]["code"]
    r = await api.post(
        "/api/v1/auth/otp", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400 and r.json()["error"]["code"] == "MALFORMED_JSON"


async def test_sms_platform_failure_is_503_and_code_can_be_requested_again(api, sims) -> None:
    await httpx.AsyncClient().post(
        sims["sms"].base_url + "/_sim/faults", json={"code": "isp.SYSTEM_ERROR", "times": 1}
    )
    phone = new_phone()
    r = await _request_code(api, phone, new_ip())
    assert r.status_code == 503 and r.json()["error"]["code"] == "SMS_SEND_FAILED"
    assert (await _request_code(api, phone, new_ip())).status_code == 200


async def test_refresh_rotates_and_reuse_revokes_the_family(api, citizen) -> None:
    person = await citizen()
    r = await api.post("/api/v1/auth/refresh", json={"refresh_token": person.refresh})
    assert r.status_code == 200
    second = r.json()
    assert second["refresh_token"] != person.refresh
    # replaying the first (rotated) refresh token revokes everything of this login
    r = await api.post("/api/v1/auth/refresh", json={"refresh_token": person.refresh})
    assert r.status_code == 401 and r.json()["error"]["code"] == "REFRESH_TOKEN_REUSED"
    r = await api.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert r.status_code == 401
    r = await api.post(
        "/api/v1/auth/logout", headers={"Authorization": f"Bearer {second['access_token']}"}
    )
    assert r.status_code == 401


async def test_staff_login_roles_and_audiences(api, staff, citizen) -> None:
    clerk = await staff(roles=["clerk"], department="GA")
    r = await api.get("/api/v1/staff/auth/me", headers=clerk.headers)
    assert r.status_code == 200
    assert r.json()["roles"] == ["clerk"]
    # a citizen token never opens a staff endpoint, and the other way round
    person = await citizen()
    assert (await api.get("/api/v1/staff/auth/me", headers=person.headers)).status_code == 401
    assert (await api.post("/api/v1/auth/logout", headers=clerk.headers)).status_code == 401
    r = await api.post(
        "/api/v1/staff/auth/login", json={"username": clerk.username, "password": "wrong"}
    )
    assert r.status_code == 401 and r.json()["error"]["code"] == "LOGIN_FAILED"
    r = await api.post("/api/v1/staff/auth/refresh", json={"refresh_token": clerk.refresh})
    assert r.status_code == 200


async def test_staff_guesses_at_once_share_one_limit_and_the_lock_lifts(api, staff, kv) -> None:
    import asyncio

    from app.staff import MAX_FAILED_LOGINS

    clerk = await staff(roles=["clerk"], department="GA")
    url = "/api/v1/staff/auth/login"
    guesses = await asyncio.gather(*(
        api.post(url, json={"username": clerk.username, "password": f"guess-{n}"})
        for n in range(MAX_FAILED_LOGINS + 15)))
    assert all(r.status_code == 401 for r in guesses)
    r = await api.post(url, json={"username": clerk.username, "password": STAFF_PASSWORD})
    assert r.status_code == 401  # locked: even the right password waits
    await kv.delete(f"staff-login:{clerk.username.lower()}")  # as the lock's expiry would
    r = await api.post(url, json={"username": clerk.username, "password": STAFF_PASSWORD})
    assert r.status_code == 200, r.text
