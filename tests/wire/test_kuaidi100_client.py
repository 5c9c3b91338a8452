"""kuaidi100 tracker against its simulator over loopback HTTP: subscribe, push, query."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from app.interfaces import TrackingUpdate
from channels.express.errors import CallbackRejected, Kuaidi100Error, Kuaidi100Retryable
from channels.express.kuaidi100 import CALLBACK_PATH, Kuaidi100Tracker
from sandbox import kuaidi100 as sim_mod
from sandbox.runner import RunningSimulator, start


class Receiver:
    """Stands in for our callback endpoint: verifies with the real tracker code."""

    def __init__(self) -> None:
        self.tracker: Kuaidi100Tracker | None = None
        self.updates: list[TrackingUpdate] = []
        self.rejected = 0
        self.fail_next = 0

    async def handle(self, request: web.Request) -> web.Response:
        form = {k: str(v) for k, v in (await request.post()).items()}
        assert self.tracker is not None
        try:
            update = self.tracker.verify_callback(form)
        except CallbackRejected:
            self.rejected += 1
            return web.json_response({"result": False, "returnCode": "500", "message": "签名错误"})
        if self.fail_next:
            self.fail_next -= 1
            return web.Response(status=500)
        self.updates.append(update)
        return web.json_response({"result": True, "returnCode": "200", "message": "成功"})


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        yield session


@pytest.fixture
async def env(http: aiohttp.ClientSession) -> AsyncIterator[dict[str, Any]]:
    receiver = Receiver()
    rapp = web.Application()
    rapp.router.add_post(CALLBACK_PATH, receiver.handle)
    ours = await start(rapp)
    sim = await start(sim_mod.create_app(retries=2, retry_interval=0.01))
    cfg = sim_mod.zsb_settings(sim.base_url)
    receiver.tracker = Kuaidi100Tracker(
        http,
        api_base=cfg["kuaidi100_api_base"],
        key=cfg["kuaidi100_key"],
        customer=cfg["kuaidi100_customer"],
        salt=cfg["kuaidi100_salt"],
        callback_url=ours.base_url + CALLBACK_PATH,
    )
    yield {"sim": sim, "receiver": receiver, "tracker": receiver.tracker}
    await sim.stop()
    await ours.stop()


async def sim_push(http: aiohttp.ClientSession, sim: RunningSimulator, **body: Any) -> Any:
    async with http.post(sim.base_url + "/_sim/push", json=body) as resp:
        assert resp.status == 200
        return await resp.json()


async def test_subscribe_then_signed_pushes(
    env: dict[str, Any], http: aiohttp.ClientSession
) -> None:
    tracker, sim, receiver = env["tracker"], env["sim"], env["receiver"]
    await tracker.subscribe("ems", "1100000000011", "13800138000")
    sub = sim.app["state"]["subscriptions"][("ems", "1100000000011")]
    assert sub["salt"] == sim_mod.SIM_SALT and sub["phone"] == "13800138000"
    await tracker.subscribe("ems", "1100000000011", None)  # 501 duplicate counts as done

    for state in ("1", "0", "5", "3"):
        out = await sim_push(http, sim, company="ems", number="1100000000011", state=state)
        assert out["pushes"][0]["acked"] is True
    last = receiver.updates[-1]
    assert last.status == "shutdown" and last.state == "signed"
    assert [e.state for e in last.events] == [
        "collected",
        "in_transit",
        "out_for_delivery",
        "signed",
    ]


async def test_forged_push_is_rejected_and_retried(
    env: dict[str, Any], http: aiohttp.ClientSession
) -> None:
    tracker, sim, receiver = env["tracker"], env["sim"], env["receiver"]
    await tracker.subscribe("ems", "1100000000012", None)
    out = await sim_push(
        http, sim, company="ems", number="1100000000012", state="1", fault="bad_sign"
    )
    push = out["pushes"][0]
    assert push["acked"] is False and push["attempts"] == 3 and receiver.rejected == 3
    assert receiver.updates == []


async def test_unacknowledged_push_is_retried(
    env: dict[str, Any], http: aiohttp.ClientSession
) -> None:
    tracker, sim, receiver = env["tracker"], env["sim"], env["receiver"]
    await tracker.subscribe("ems", "1100000000013", None)
    receiver.fail_next = 1
    out = await sim_push(http, sim, company="ems", number="1100000000013", state="1")
    assert out["pushes"][0]["attempts"] == 2 and out["pushes"][0]["acked"] is True
    assert len(receiver.updates) == 1


async def test_bad_key_is_final(env: dict[str, Any], http: aiohttp.ClientSession) -> None:
    tracker: Kuaidi100Tracker = env["tracker"]
    tracker.key = "wrong"
    with pytest.raises(Kuaidi100Error) as info:
        await tracker.subscribe("ems", "1100000000014", None)
    assert info.value.code == "600"


async def test_query_is_signed_and_parsed(env: dict[str, Any], http: aiohttp.ClientSession) -> None:
    tracker, sim = env["tracker"], env["sim"]
    empty = await tracker.query("ems", "1100000000015", None)
    assert empty.events == [] and empty.state is None
    await tracker.subscribe("ems", "1100000000015", None)
    await sim_push(http, sim, company="ems", number="1100000000015", state="1", fault="drop")
    await sim_push(http, sim, company="ems", number="1100000000015", state="5", fault="drop")
    update = await tracker.query("ems", "1100000000015", None)
    assert update.state == "out_for_delivery" and len(update.events) == 2
    assert env["receiver"].updates == []
    tracker.customer = "OTHER"
    with pytest.raises(Kuaidi100Error):
        await tracker.query("ems", "1100000000015", None)


async def test_server_errors_are_retryable(
    env: dict[str, Any], http: aiohttp.ClientSession
) -> None:
    tracker, sim = env["tracker"], env["sim"]
    sim.app["state"]["options"]["subscribe_code"] = "500"
    with pytest.raises(Kuaidi100Retryable):
        await tracker.subscribe("ems", "1100000000016", None)
    tracker.api_base = "http://127.0.0.1:9"
    with pytest.raises(Kuaidi100Retryable):
        await tracker.query("ems", "1100000000016", None)


async def test_scripted_pushes_in_order(env: dict[str, Any], http: aiohttp.ClientSession) -> None:
    tracker, sim, receiver = env["tracker"], env["sim"], env["receiver"]
    await tracker.subscribe("ems", "1100000000017", None)
    body = {
        "company": "ems",
        "number": "1100000000017",
        "steps": [{"state": "1"}, {"state": "5", "area": "北京市,海淀区"}, {"state": "3"}],
    }
    async with http.post(sim.base_url + "/_sim/script", json=body) as resp:
        out = await resp.json()
    assert [s["pushes"][0]["acked"] for s in out["steps"]] == [True, True, True]
    assert [u.state for u in receiver.updates] == ["collected", "out_for_delivery", "signed"]
    assert receiver.updates[1].events[-1].area == "北京市,海淀区"
    async with http.get(sim.base_url + "/_sim/state") as resp:
        state = await resp.json()
    assert state["subscriptions"]["ems:1100000000017"]["active"] is False  # shutdown after 签收
