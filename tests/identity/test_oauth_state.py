"""The signed, single-use OAuth ``state``, bound to the browser that asked for it."""

from __future__ import annotations

import time

import httpx
import pytest

from app.errors import BadRequest
from app.identity import oauth_state
from app.kv import MemoryKV
from tests.support.identity_flows import wechat_code

SECRET = "test-state-secret"
BROWSER = "browser-binding-value"


async def test_state_round_trip_is_single_use() -> None:
    kv = MemoryKV()
    state = oauth_state.issue(SECRET, BROWSER)
    await oauth_state.consume(SECRET, state, BROWSER, kv)
    with pytest.raises(BadRequest) as err:
        await oauth_state.consume(SECRET, state, BROWSER, kv)
    assert err.value.code == "OAUTH_STATE_USED"


async def test_forged_expired_and_foreign_states_are_refused() -> None:
    kv = MemoryKV()
    state = oauth_state.issue(SECRET, BROWSER)
    for secret, binding in (("another-secret", BROWSER), (SECRET, "another-browser"),
                            (SECRET, "")):
        with pytest.raises(BadRequest) as err:
            await oauth_state.consume(secret, state, binding, kv)
        assert err.value.code == "OAUTH_STATE_INVALID"
    nonce, expiry, mac = state.split(".")
    with pytest.raises(BadRequest):
        await oauth_state.consume(SECRET, f"{nonce}.{int(expiry) + 999}.{mac}", BROWSER, kv)
    old = oauth_state.issue(SECRET, BROWSER, now=time.time() - 3600)
    with pytest.raises(BadRequest) as err:
        await oauth_state.consume(SECRET, old, BROWSER, kv)
    assert err.value.code == "OAUTH_STATE_EXPIRED"


async def test_a_state_taken_by_another_client_logs_nobody_in(server, sims, settings) -> None:  # type: ignore[no-untyped-def]
    """Login CSRF: the attacker's state and the attacker's own code, sent to a victim's
    browser, must not log that browser in (it lacks the attacker's cookie)."""
    params = {"redirect_uri": f"{settings.public_base_url}/h5/login", "scope": "snsapi_base"}
    async with httpx.AsyncClient(base_url=server.base_url) as attacker, \
            httpx.AsyncClient(base_url=server.base_url) as victim:
        r = await attacker.get("/api/v1/auth/wechat/authorize-url", params=params)
        assert r.cookies.get(oauth_state.COOKIE)
        state = r.json()["state"]
        code = await wechat_code(sims["wechat"].base_url, "oAttacker" + str(time.time_ns()))
        r = await victim.post("/api/v1/auth/wechat/login", json={"code": code, "state": state})
        assert r.status_code == 400 and r.json()["error"]["code"] == "OAUTH_STATE_INVALID"
        r = await attacker.post("/api/v1/auth/wechat/login", json={"code": code, "state": state})
        assert r.status_code == 200, r.text
