"""WeChat web OAuth login against the simulator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest
import yarl

from app.interfaces import FinalProviderError, LoginProvider
from channels.wechat.errors import WeChatError
from tests.wire.wechat_helpers import WireRig, rig


@pytest.fixture
async def w() -> AsyncIterator[WireRig]:
    async for r in rig():
        yield r


async def _code(w: WireRig, **body: str) -> str:
    async with aiohttp.ClientSession() as s:
        async with s.post(f"{w.sim.base_url}/_sim/oauth/code", json=body) as resp:
            return (await resp.json())["code"]


def test_authorize_url_is_exact(w: WireRig) -> None:
    url = w.client.oauth.authorize_url(
        "https://zsb.example.cn/h5/bind?a=1&b=2", "snsapi_userinfo", "s.t/x"
    )
    assert url == (
        f"{w.sim.base_url}/connect/oauth2/authorize?appid={w.settings.wechat_appid}"
        "&redirect_uri=https%3A%2F%2Fzsb.example.cn%2Fh5%2Fbind%3Fa%3D1%26b%3D2"
        "&response_type=code&scope=snsapi_userinfo&state=s.t%2Fx#wechat_redirect"
    )
    with pytest.raises(ValueError):
        w.client.oauth.authorize_url("https://x.invalid/", "snsapi_login", "")


async def test_code_exchange_gives_openid_and_unionid(w: WireRig) -> None:
    assert isinstance(w.client.oauth, LoginProvider)
    code = await _code(w, openid="oOPEN1", unionid="uUNION1", scope="snsapi_userinfo")
    ident = await w.client.oauth.identify({"code": code})
    assert (ident.channel, ident.subject, ident.union_id) == ("wechat", "oOPEN1", "uUNION1")
    base = await w.client.oauth.identify({"code": await _code(w, openid="oOPEN2")})
    assert (base.subject, base.union_id) == ("oOPEN2", None)


async def test_code_is_single_use_and_unknown_codes_fail(w: WireRig) -> None:
    code = await _code(w, openid="oOPEN3")
    await w.client.oauth.identify({"code": code})
    with pytest.raises(WeChatError) as err:
        await w.client.oauth.identify({"code": code})
    assert err.value.errcode == 40163 and isinstance(err.value, FinalProviderError)
    for bad in ("nope", "", None):
        with pytest.raises(WeChatError) as err:
            await w.client.oauth.identify({"code": bad})
        assert err.value.errcode == 40029


async def test_browser_round_trip_through_the_authorize_page(w: WireRig) -> None:
    url = w.client.oauth.authorize_url("http://127.0.0.1:1/back?x=1", "snsapi_base", "st4te")
    url = url.split("#", 1)[0] + "&sim_openid=oBROWSER1"
    async with aiohttp.ClientSession() as s:
        async with s.get(url, allow_redirects=False) as resp:
            assert resp.status == 302
            location = resp.headers["Location"]
    back = yarl.URL(location)
    assert (back.path, back.query["x"], back.query["state"]) == ("/back", "1", "st4te")
    ident = await w.client.oauth.identify({"code": back.query["code"]})
    assert ident.subject == "oBROWSER1"
