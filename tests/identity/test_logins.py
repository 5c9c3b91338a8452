"""WeChat H5 OAuth and Alipay mini-program logins against their simulators."""

from __future__ import annotations

import uuid

import httpx

from models.identity import ChannelAccount
from tests.support.identity_flows import (
    alipay_code,
    alipay_login,
    bearer,
    wechat_code,
    wechat_login,
    wechat_state,
)


def _openid() -> str:
    return "o" + uuid.uuid4().hex[:27]


async def test_wechat_login_issues_a_token_pair_for_one_person(api, sims, settings) -> None:  # type: ignore[no-untyped-def]
    openid = _openid()
    first = await wechat_login(api, sims["wechat"].base_url, settings.public_base_url, openid)
    assert first.status_code == 200, first.text
    pair = first.json()
    assert pair["channel"] == "wechat" and pair["access_token"] and pair["refresh_token"]
    me = await api.get("/api/v1/me", headers=bearer(pair["access_token"]))
    assert me.status_code == 200 and me.json()["realname_level"] == 0
    again = await wechat_login(api, sims["wechat"].base_url, settings.public_base_url, openid)
    assert again.json()["person_id"] == pair["person_id"]


async def test_authorize_url_carries_signed_state(api, settings) -> None:  # type: ignore[no-untyped-def]
    resp = await api.get(
        "/api/v1/auth/wechat/authorize-url",
        params={"redirect_uri": f"{settings.public_base_url}/h5/x", "scope": "snsapi_userinfo"},
    )
    assert resp.status_code == 200
    body = resp.json()
    assert "/connect/oauth2/authorize?appid=" in body["url"]
    assert body["url"].endswith("#wechat_redirect") and "scope=snsapi_userinfo" in body["url"]
    assert body["state"].count(".") == 2
    foreign = await api.get(
        "/api/v1/auth/wechat/authorize-url",
        params={"redirect_uri": "https://evil.example/steal"},
    )
    assert foreign.status_code == 400
    assert foreign.json()["error"]["code"] == "REDIRECT_URI_INVALID"


async def test_wechat_wrong_and_reused_codes_are_refused(api, sims, settings) -> None:  # type: ignore[no-untyped-def]
    base, public = sims["wechat"].base_url, settings.public_base_url
    state = await wechat_state(api, public)
    wrong = await api.post("/api/v1/auth/wechat/login", json={"code": "nope", "state": state})
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "LOGIN_CODE_INVALID"

    openid = _openid()
    code = await wechat_code(base, openid)
    ok = await api.post(
        "/api/v1/auth/wechat/login", json={"code": code, "state": await wechat_state(api, public)}
    )
    assert ok.status_code == 200
    reused = await api.post(
        "/api/v1/auth/wechat/login", json={"code": code, "state": await wechat_state(api, public)}
    )
    assert reused.status_code == 400
    assert reused.json()["error"]["code"] == "LOGIN_CODE_USED"
    assert await ChannelAccount.filter(channel="wechat", subject=openid).count() == 1


async def test_wechat_state_is_single_use_and_must_be_ours(api, sims, settings) -> None:  # type: ignore[no-untyped-def]
    base, public = sims["wechat"].base_url, settings.public_base_url
    openid = _openid()
    state = await wechat_state(api, public)
    first = await api.post(
        "/api/v1/auth/wechat/login", json={"code": await wechat_code(base, openid), "state": state}
    )
    assert first.status_code == 200
    replay = await api.post(
        "/api/v1/auth/wechat/login", json={"code": await wechat_code(base, openid), "state": state}
    )
    assert replay.json()["error"]["code"] == "OAUTH_STATE_USED"
    forged = await api.post(
        "/api/v1/auth/wechat/login",
        json={"code": await wechat_code(base, _openid()), "state": "abc.9999999999.deadbeef"},
    )
    assert forged.status_code == 400
    assert forged.json()["error"]["code"] == "OAUTH_STATE_INVALID"


async def test_alipay_login_and_reused_code(api, sims) -> None:  # type: ignore[no-untyped-def]
    issued = await alipay_code(sims["alipay"].base_url)
    first = await alipay_login(api, issued["auth_code"])
    assert first.status_code == 200, first.text
    assert first.json()["channel"] == "alipay"
    again = await alipay_login(api, issued["auth_code"])
    assert again.status_code == 400
    assert again.json()["error"]["code"] == "LOGIN_CODE_INVALID"
    wrong = await alipay_login(api, "auth-made-up")
    assert wrong.status_code == 400
    assert await ChannelAccount.filter(channel="alipay", subject=issued["user_id"]).count() == 1


async def test_alipay_forged_response_signature_changes_nothing(api, sims) -> None:  # type: ignore[no-untyped-def]
    base = sims["alipay"].base_url
    issued = await alipay_code(base)
    async with httpx.AsyncClient() as sim:
        await sim.post(f"{base}/_sim/faults", json={"bad_response_sign": True})
        try:
            resp = await alipay_login(api, issued["auth_code"])
        finally:
            await sim.post(f"{base}/_sim/faults", json={"bad_response_sign": False})
    assert resp.status_code == 400
    assert resp.json()["error"]["code"] == "LOGIN_RESPONSE_UNVERIFIED"
    assert not await ChannelAccount.exists(channel="alipay", subject=issued["user_id"])


async def test_wechat_snapshot_page_user_is_not_logged_in(api, sims, settings) -> None:  # type: ignore[no-untyped-def]
    import httpx

    openid = _openid()
    async with httpx.AsyncClient() as sim:
        r = await sim.post(f"{sims['wechat'].base_url}/_sim/oauth/code",
                           json={"openid": openid, "snapshot": True})
        code = r.json()["code"]
    state = await wechat_state(api, settings.public_base_url)
    r = await api.post("/api/v1/auth/wechat/login", json={"code": code, "state": state})
    assert r.status_code == 400 and r.json()["error"]["code"] == "LOGIN_SNAPSHOT_USER"
    assert not await ChannelAccount.filter(channel="wechat", subject=openid).exists()
