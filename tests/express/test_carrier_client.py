"""EMS-style booking client against the carrier simulator over loopback HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from channels.express.carrier import CarrierClient, Party
from channels.express.errors import CarrierError, CarrierRetryable
from sandbox import carrier as carrier_sim
from sandbox.runner import RunningSimulator, start

SENDER = Party("朝阳区政务服务中心", "010-12345678", "北京市朝阳区政务路1号")
RECEIVER = Party("张三", "13800138000", "北京市海淀区中关村大街1号")


@pytest.fixture
async def sim() -> AsyncIterator[RunningSimulator]:
    running = await start(carrier_sim.create_app())
    yield running
    await running.stop()


@pytest.fixture
async def client(sim: RunningSimulator) -> AsyncIterator[CarrierClient]:
    cfg = carrier_sim.zsb_settings(sim.base_url)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as http:
        yield CarrierClient(
            http,
            api_base=cfg["carrier_api_base"],
            partner_id=cfg["carrier_partner_id"],
            check_word=cfg["carrier_check_word"],
        )


async def test_book_is_idempotent_per_order(client: CarrierClient, sim: RunningSimulator) -> None:
    first = await client.book(
        "ZSB-S-1", sender=SENDER, receiver=RECEIVER, pickup=False, cargo="营业执照"
    )
    again = await client.book(
        "ZSB-S-1", sender=SENDER, receiver=RECEIVER, pickup=False, cargo="营业执照"
    )
    other = await client.book(
        "ZSB-S-2", sender=RECEIVER, receiver=SENDER, pickup=True, cargo="申请材料"
    )
    assert first.waybill_no == again.waybill_no != other.waybill_no
    assert first.company == "ems"
    order = sim.app["state"]["orders"]["ZSB-S-2"]
    assert order["data"]["isDocall"] == 1
    assert order["data"]["contactInfoList"][1]["contact"] == "朝阳区政务服务中心"
    await client.cancel("ZSB-S-2")
    assert sim.app["state"]["orders"]["ZSB-S-2"]["cancelled"] is True


async def test_wrong_check_word_is_final(client: CarrierClient) -> None:
    client.check_word = "wrong"
    with pytest.raises(CarrierError) as info:
        await client.book("ZSB-S-3", sender=SENDER, receiver=RECEIVER, pickup=False, cargo="x")
    assert info.value.code == "A1006"


async def test_outage_is_retryable(client: CarrierClient, sim: RunningSimulator) -> None:
    sim.app["state"]["options"]["fail"] = "A1002"
    with pytest.raises(CarrierRetryable):
        await client.book("ZSB-S-4", sender=SENDER, receiver=RECEIVER, pickup=False, cargo="x")
    client.api_base = "http://127.0.0.1:9"
    with pytest.raises(CarrierRetryable):
        await client.cancel("ZSB-S-4")
