"""The WeChat Pay v3 client and gateway against the simulator, over loopback HTTP."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from app.interfaces import PayRequest
from app.settings import Settings
from channels.wechatpay import signing
from channels.wechatpay.errors import (
    NotifySignatureError,
    NotifyStale,
    ResponseSignatureError,
    WeChatPayFinal,
)
from channels.wechatpay.payment import WeChatPayGateway, build
from sandbox import wechatpay as sim_module
from sandbox.runner import RunningSimulator, start


class Receiver:
    """Our side of the notify: collects what arrives, answers from a script."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.script: list[int] = []
        self.app = web.Application()
        self.app.router.add_post("/callbacks/wechatpay", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        self.received.append((dict(request.headers), await request.read()))
        status = self.script.pop(0) if self.script else 204
        return web.Response(status=status)


@pytest.fixture(scope="module")
async def sim() -> AsyncIterator[RunningSimulator]:
    running = await start(sim_module.create_app())
    yield running
    await running.stop()


@pytest.fixture(scope="module")
async def receiver(sim: RunningSimulator) -> AsyncIterator[Receiver]:
    rec = Receiver()
    running = await start(rec.app)
    sim.app["zsb_base_url"] = running.base_url
    yield rec
    await running.stop()


@pytest.fixture(scope="module")
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
        yield session


def _gateway(sim: RunningSimulator, http: aiohttp.ClientSession, **over: Any) -> WeChatPayGateway:
    return build(Settings(**{**sim_module.zsb_settings(sim.base_url), **over}), http, None)


async def _sim(http: aiohttp.ClientSession, sim: RunningSimulator, path: str, **body: Any) -> Any:
    async with http.post(f"{sim.base_url}/_sim/{path}", json=body) as resp:
        return await resp.json()


async def _wait(cond: Any) -> None:
    for _ in range(500):  # the simulator works in its own tasks: look every 10 ms, up to 5 s
        if cond():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met in time")


def _no() -> str:
    return "ZSBT" + uuid.uuid4().hex[:20].upper()


async def test_jsapi_prepay_gives_verifiable_pay_sign(sim, http) -> None:
    gw = _gateway(sim, http)
    req = PayRequest(_no(), 1500, "居住证办理工本费", "jsapi", payer_id="oOPENID")
    answer = await gw.create(req)
    params = answer["params"]
    assert answer["prepay_id"].startswith("wx") and params["package"].endswith(answer["prepay_id"])
    message = signing.sign_lines(params["appId"], params["timeStamp"], params["nonceStr"],
                                 params["package"])
    assert signing.verify(message, params["paySign"], gw.client.private_key.public_key())


async def test_app_prepay_and_query_and_close(sim, http) -> None:
    gw = _gateway(sim, http)
    no = _no()
    answer = await gw.create(PayRequest(no, 800, "证照工本费", "app"))
    assert answer["params"]["package"] == "Sign=WXPay"
    result = await gw.query(no)
    assert (result.state, result.amount_fen) == ("pending", 800)
    await gw.close(no)
    assert (await gw.query(no)).state == "closed"
    await gw.close(no)  # closing twice is fine
    assert (await gw.query(_no())).state == "closed"  # unknown at the platform


async def test_jsapi_needs_openid(sim, http) -> None:
    with pytest.raises(WeChatPayFinal):
        await _gateway(sim, http).create(PayRequest(_no(), 1, "x", "jsapi"))


async def test_wrong_merchant_key_is_refused_by_the_platform(sim, http) -> None:
    gw = _gateway(sim, http, wechatpay_private_key_file=str(sim_module.KEYS /
                                                            "wxpay_doc_test_key.pem"))
    with pytest.raises(WeChatPayFinal) as info:
        await gw.query(_no())
    assert info.value.code == "SIGN_ERROR"


async def test_response_signed_by_another_key_is_not_believed(sim, http) -> None:
    gw = _gateway(sim, http, wechatpay_platform_key_id="PUB_KEY_ID_OTHER")
    with pytest.raises(ResponseSignatureError):
        await gw.create(PayRequest(_no(), 1, "x", "app"))


async def test_pay_notify_arrives_verified_and_is_retried(sim, http, receiver) -> None:
    gw = _gateway(sim, http)
    no = _no()
    await gw.create(PayRequest(no, 2500, "不动产登记费", "jsapi", payer_id="oPAYER"))
    receiver.script = [500, 404]  # two refusals, then the default 204
    before = len(receiver.received)
    await _sim(http, sim, "pay", out_trade_no=no)
    await _wait(lambda: len(receiver.received) >= before + 3)
    headers, body = receiver.received[-1]
    result = await gw.verify_notify(headers, body)
    assert (result.out_trade_no, result.state, result.amount_fen) == (no, "paid", 2500)
    assert result.transaction_id and result.paid_at and result.raw["notify_id"]
    record = next(n for n in sim.app["state"]["notifies"] if n["id"] == result.raw["notify_id"])
    assert record["acked"] and [a["http"] for a in record["answers"]] == [500, 404, 204]
    queried = await gw.query(no)
    assert (queried.state, queried.transaction_id) == ("paid", result.transaction_id)


@pytest.mark.parametrize("fault,error", [("bad_signature", NotifySignatureError),
                                         ("stale", NotifyStale)])
async def test_faulty_notifies_are_refused(sim, http, fault, error) -> None:
    gw = _gateway(sim, http)
    no = _no()
    await gw.create(PayRequest(no, 100, "x", "app"))
    await _sim(http, sim, "pay", out_trade_no=no, fault="silent")
    notify = await _sim(http, sim, "build_notify", out_trade_no=no, fault=fault)
    with pytest.raises(error):
        await gw.verify_notify(notify["headers"], notify["body"].encode())
    wrong = await _sim(http, sim, "build_notify", out_trade_no=no, fault="wrong_amount")
    assert (await gw.verify_notify(wrong["headers"], wrong["body"].encode())).amount_fen == 101


async def test_refund_is_idempotent_and_notified(sim, http, receiver) -> None:
    gw = _gateway(sim, http)
    no = _no()
    await gw.create(PayRequest(no, 3000, "x", "app"))
    await _sim(http, sim, "pay", out_trade_no=no, fault="silent")
    first = await gw.refund(no, no + "R1", 1000, 3000, "多缴退费")
    again = await gw.refund(no, no + "R1", 1000, 3000, "多缴退费")
    assert first["refund_id"] == again["refund_id"] and first["state"] == "processing"
    with pytest.raises(WeChatPayFinal) as info:
        await gw.refund(no, no + "R2", 2001, 3000, "超额")
    assert info.value.code == "NOT_ENOUGH"
    await _wait(lambda: any(b"REFUND.SUCCESS" in body for _, body in receiver.received))
    headers, body = [r for r in receiver.received if b"REFUND.SUCCESS" in r[1]][-1]
    result = await gw.verify_notify(headers, body)
    assert (result.state, result.amount_fen, result.raw["out_refund_no"]) == (
        "refunded", 1000, no + "R1"
    )


async def test_trade_bill_download(sim, http) -> None:
    gw = _gateway(sim, http)
    no = _no()
    await gw.create(PayRequest(no, 4321, "x", "app"))
    paid = await _sim(http, sim, "pay", out_trade_no=no, fault="silent",
                      success_time="2026-03-04T10:00:00+08:00")
    rows = await gw.download_bill("2026-03-04")
    mine = [r for r in rows if r["out_trade_no"] == no]
    assert mine == [{**mine[0], "kind": "payment", "amount_fen": 4321,
                     "transaction_id": paid["transaction_id"]}]
    with pytest.raises(WeChatPayFinal):
        await gw.download_bill("1999-01-01")
