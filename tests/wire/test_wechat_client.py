"""The WeChat API client against the simulator over loopback HTTP."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from app.settings import UNREACHABLE, Settings
from channels.wechat.client import WeChatClient
from channels.wechat.errors import WeChatError, WeChatRetryableError, raise_for_errcode
from channels.wechat.token import credential_value
from tests.wire.wechat_helpers import WireRig, rig

SAMPLE_MENU = Path(__file__).parents[2] / "channels" / "wechat" / "menu.sample.json"


@pytest.fixture
async def w() -> AsyncIterator[WireRig]:
    async for r in rig():
        yield r


async def test_token_is_fetched_once_and_shared(w: WireRig) -> None:
    menu = {"button": [{"type": "click", "name": "我的办件", "key": "MY_CASES"}]}
    await w.client.menu.create(menu)
    other_worker = WeChatClient(w.settings, w.http, w.kv)  # same kv, as another process would
    assert (await other_worker.menu.get())["button"][0]["key"] == "MY_CASES"
    assert w.state["token_fetches"] == 1


async def test_concurrent_cold_start_refreshes_once(w: WireRig) -> None:
    workers = [WeChatClient(w.settings, w.http, w.kv) for _ in range(20)]
    await asyncio.gather(*(c.jssdk.ticket.get() for c in workers))
    assert w.state["token_fetches"] == 1


async def test_expired_token_is_refreshed_and_the_call_retried_once(w: WireRig) -> None:
    await w.client.token.get()
    w.fault(expire_token=True)
    await w.client.menu.create(
        {"button": [{"type": "view", "name": "办事指南", "url": "https://x.invalid/"}]}
    )
    assert w.state["token_fetches"] == 2
    assert w.state["stable_forced"] == 0  # force mode (20 a day) only when normal mode fails
    assert w.state["menu"]["button"][0]["name"] == "办事指南"


async def test_busy_is_retryable_and_keeps_errcode(w: WireRig) -> None:
    await w.client.token.get()
    w.fault(busy=1)
    with pytest.raises(WeChatRetryableError) as err:
        await w.client.menu.get()
    assert err.value.errcode == -1


async def test_sample_menu_roundtrip(w: WireRig) -> None:
    menu = json.loads(SAMPLE_MENU.read_text(encoding="utf-8"))
    await w.client.menu.create(menu)
    got = await w.client.menu.get()
    assert [b["name"] for b in got["button"]] == ["我的办件", "办事指南", "联系我们"]
    with pytest.raises(ValueError):
        await w.client.menu.create({"button": []})


async def test_jssdk_config_signs_with_cached_ticket(w: WireRig) -> None:
    url = "https://zsb.example.cn/h5/cases?id=1#top"
    cfg = await w.client.jssdk.config(url)
    await w.client.jssdk.config(url)
    tickets = [c for c in w.state["calls"] if c["path"].endswith("getticket")]
    assert len(tickets) == 1
    ticket = await w.client.jssdk.ticket.get()
    raw = (
        f"jsapi_ticket={ticket}&noncestr={cfg['nonceStr']}&timestamp={cfg['timestamp']}"
        "&url=https://zsb.example.cn/h5/cases?id=1"
    )
    assert cfg["signature"] == hashlib.sha1(raw.encode()).hexdigest()  # noqa: S324
    assert cfg["appId"] == w.settings.wechat_appid


async def test_template_send_answers_msgid_and_maps_errors(w: WireRig) -> None:
    data = {"first": {"value": "您的办件已受理"}, "keyword1": {"value": "GA2026"}}
    msgid = await w.client.send_template("oUSER1", "TPL_PROGRESS", data, url="https://x.invalid/")
    assert msgid > 0 and w.state["sent_templates"][-1]["data"] == data
    w.fault(unsubscribed=["oUSER2"])
    with pytest.raises(WeChatError) as err:
        await w.client.send_template("oUSER2", "TPL_PROGRESS", data)
    assert err.value.errcode == 43004
    with pytest.raises(WeChatError) as err:
        await w.client.send_template("oUSER1", "bad-template", data)
    assert err.value.errcode == 40037
    w.fault(quota=1)
    with pytest.raises(WeChatRetryableError) as rerr:
        await w.client.send_template("oUSER1", "TPL_PROGRESS", data)
    assert rerr.value.errcode == 45009


async def test_subscribe_send_refused(w: WireRig) -> None:
    data = {"thing1": {"value": "办件进度"}}
    await w.client.send_subscribe("oUSER3", "SUB_TPL", data)
    w.fault(refused=["oUSER3"])
    with pytest.raises(WeChatError) as err:
        await w.client.send_subscribe("oUSER3", "SUB_TPL", data)
    assert err.value.errcode == 43101


async def test_slow_answer_times_out_as_retryable() -> None:
    async for r in rig(http_timeout=0.2):
        r.fault(slow=0.5)
        with pytest.raises(WeChatRetryableError):
            await r.client.token.get()


async def test_unreachable_platform_fails_loudly_and_retryable(w: WireRig) -> None:
    settings = Settings(env="test", wechat_api_base=UNREACHABLE)
    with pytest.raises(WeChatRetryableError):
        await WeChatClient(settings, w.http, w.kv).token.get()


async def test_one_process_many_callers_refresh_once(w: WireRig) -> None:
    await asyncio.gather(*(w.client.token.get() for _ in range(50)))
    assert w.state["token_fetches"] == 1


def test_unreadable_answers_are_retryable_not_crashes() -> None:
    with pytest.raises(WeChatRetryableError):
        raise_for_errcode({"errcode": "busy", "errmsg": "?"})
    with pytest.raises(WeChatRetryableError):
        credential_value({"access_token": "T", "expires_in": "soon"}, "access_token")
    assert credential_value({"access_token": "T"}, "access_token") == ("T", 7200)


async def test_refresh_lock_held_elsewhere_is_retryable(w: WireRig) -> None:
    w.client.token.lock_wait = 0.2
    async with w.kv.lock(f"{w.client.token.key}:refresh", timeout=5, wait=1):
        with pytest.raises(WeChatRetryableError):
            await w.client.token.get()
    assert w.state["token_fetches"] == 0
    assert await w.client.token.get()  # once the other holder is gone
