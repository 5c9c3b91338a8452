"""JPush v3 client against the JPush simulator over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from app.interfaces import DeliveryOutcome, OutboundMessage
from channels.jpush.client import JPushClient, basic_auth, push_body
from channels.jpush.errors import JPushFinal, JPushRetryable
from channels.jpush.notifier import JPushNotifier
from sandbox import jpush as jpush_sim
from sandbox.runner import RunningSimulator, start


def test_basic_auth_doc_vector() -> None:
    assert basic_auth("7d431e42dfa6a6d693ac2d04", "5e987ac6d2e04d95a9d8f0d1") == (
        "Basic N2Q0MzFlNDJkZmE2YTZkNjkzYWMyZDA0OjVlOTg3YWM2ZDJlMDRkOTVhOWQ4ZjBkMQ=="
    )


@pytest.fixture
async def sim() -> AsyncIterator[RunningSimulator]:
    running = await start(jpush_sim.create_app())
    yield running
    await running.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


def client_for(sim: RunningSimulator, http: aiohttp.ClientSession, **kw: float) -> JPushClient:
    cfg = jpush_sim.zsb_settings(sim.base_url)
    return JPushClient(http, cfg["jpush_api_base"], cfg["jpush_app_key"],
                       cfg["jpush_master_secret"], timeout=kw.get("timeout", 5.0))


async def test_push_by_registration_id(sim: RunningSimulator, http: aiohttp.ClientSession) -> None:
    client = client_for(sim, http)
    result = await client.push(push_body(["reg-1", "reg-2"], "办件进度", "您的办件已受理",
                                         extras={"zsb_id": "n1"}, sendno=7))
    assert result.msg_id and result.sendno == "7"
    state = sim.app["state"]
    sent = state.pushes[-1]["body"]
    assert sent["audience"] == {"registration_id": ["reg-1", "reg-2"]}
    assert sent["notification"]["android"]["title"] == "办件进度"
    assert state.received[("reg-1", "n1")] == 1 and ("reg-1", "n1") in state.shown


async def test_wrong_secret_is_final(sim: RunningSimulator, http: aiohttp.ClientSession) -> None:
    client = JPushClient(http, sim.base_url, jpush_sim.APP_KEY, "wrong")
    with pytest.raises(JPushFinal) as info:
        await client.push(push_body(["reg-1"], "t", "b"))
    assert info.value.code == 1004


@pytest.mark.parametrize(("mode", "code", "error"), [
    ("quota", 2002, JPushRetryable),
    ("busy", 1000, JPushRetryable),
    ("unregistered", 1011, JPushFinal),
])
async def test_faults_map_to_error_kind(
    sim: RunningSimulator, http: aiohttp.ClientSession, mode: str, code: int, error: type
) -> None:
    sim.app["state"].fault = jpush_sim.Fault(mode, count=1)
    client = client_for(sim, http)
    with pytest.raises(error) as info:
        await client.push(push_body(["reg-1"], "t", "b"))
    assert info.value.code == code
    assert (await client.push(push_body(["reg-1"], "t", "b"))).msg_id  # fault spent


async def test_slow_platform_times_out_as_retryable(
    sim: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    sim.app["state"].fault = jpush_sim.Fault("slow", count=1, delay=1.0)
    with pytest.raises(JPushRetryable) as info:
        await client_for(sim, http, timeout=0.2).push(push_body(["reg-1"], "t", "b"))
    assert info.value.code == "network"


async def test_notifier_outcomes(sim: RunningSimulator, http: aiohttp.ClientSession) -> None:
    notifier = JPushNotifier(client_for(sim, http))
    msg = OutboundMessage(recipient="reg-a,reg-b", title="补正通知", body="请补正材料",
                          idempotency_key="n42:app_push", data={"case_no": "2026001"})
    ok = await notifier.send(msg)
    assert ok.outcome is DeliveryOutcome.SENT and ok.platform_message_id
    again = await notifier.send(msg)  # a resend after a crash: the phone shows it once
    assert again.outcome is DeliveryOutcome.SENT
    assert sim.app["state"].received[("reg-a", "n42:app_push")] == 2
    assert {k for k in sim.app["state"].shown if k[1] == "n42:app_push"} == {
        ("reg-a", "n42:app_push"), ("reg-b", "n42:app_push")}

    sim.app["state"].unregistered.update({"gone-1"})
    gone = await notifier.send(OutboundMessage(recipient="gone-1", title="t", body="b"))
    assert gone.outcome is DeliveryOutcome.PERMANENT and gone.raw_code == "1011"

    sim.app["state"].fault = jpush_sim.Fault("quota", count=1)
    busy = await notifier.send(OutboundMessage(recipient="reg-a", title="t", body="b"))
    assert busy.outcome is DeliveryOutcome.RETRYABLE and busy.raw_code == "2002"


async def test_campaign_group_is_one_push(sim: RunningSimulator,
                                          http: aiohttp.ClientSession) -> None:
    notifier = JPushNotifier(client_for(sim, http))
    same = [OutboundMessage(recipient=f"grp-{i}", title="政策宣传", body="医保缴费已开始",
                            idempotency_key="zsb-c7-app_push") for i in range(300)]
    before = sim.app["state"].requests
    results = await notifier.send_many(same)
    assert sim.app["state"].requests - before == 1
    assert {r.outcome for r in results} == {DeliveryOutcome.SENT}
    assert len({r.platform_message_id for r in results}) == 1
    assert ("grp-299", "zsb-c7-app_push") in sim.app["state"].shown
    mixed = [*same[:2], OutboundMessage(recipient="grp-x", title="别的", body="不同内容")]
    before = sim.app["state"].requests
    assert len(await notifier.send_many(mixed)) == 3
    assert sim.app["state"].requests - before == 3  # not identical: one by one
