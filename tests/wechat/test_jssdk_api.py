"""``GET /api/v1/wechat/jssdk-config``: wx.config signatures for H5 pages."""

from __future__ import annotations

import hashlib

import httpx
import pytest

pytestmark = pytest.mark.usefixtures("server")


async def test_jssdk_config_is_signed_with_the_cached_ticket(
    api: httpx.AsyncClient, sims: dict
) -> None:
    url = "https://zsb.example.cn/h5/cases?id=7#anchor"
    resp = await api.get("/api/v1/wechat/jssdk-config", params={"url": url})
    fetched = len([c for c in sims["wechat"].app["state"]["calls"]
                   if c["path"].endswith("getticket")])
    assert resp.status_code == 200, resp.text
    cfg = resp.json()
    assert set(cfg) == {"appId", "timestamp", "nonceStr", "signature"}
    again = (await api.get("/api/v1/wechat/jssdk-config", params={"url": url})).json()
    assert again["nonceStr"] != cfg["nonceStr"]
    calls = [c for c in sims["wechat"].app["state"]["calls"] if c["path"].endswith("getticket")]
    assert len(calls) == fetched >= 1  # the second page got the cached ticket
    # a ticket the simulator handed out signs the page URL without its fragment
    issued = sims["wechat"].app["state"]["issued_tickets"]
    raw = "jsapi_ticket={}&noncestr={}&timestamp={}&url=https://zsb.example.cn/h5/cases?id=7"
    signed = {
        hashlib.sha1(raw.format(t, cfg["nonceStr"], cfg["timestamp"]).encode()).hexdigest()  # noqa: S324
        for t in issued
    }
    assert cfg["signature"] in signed


async def test_jssdk_config_rejects_bad_urls(api: httpx.AsyncClient) -> None:
    for bad in ("javascript:alert(1)", "ftp://x.example/", "short"):
        resp = await api.get("/api/v1/wechat/jssdk-config", params={"url": bad})
        assert resp.status_code == 422 and resp.json()["error"]["code"] == "VALIDATION_FAILED"
    assert (await api.get("/api/v1/wechat/jssdk-config")).status_code == 422
