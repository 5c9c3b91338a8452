"""The Alipay client, login and payment gateway against the gateway simulator over loopback."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode

import aiohttp
import pytest

from app.interfaces import PayRequest
from channels.alipay.client import AlipayClient
from channels.alipay.errors import (
    AlipayAuthCodeInvalid,
    AlipayAuthTokenInvalid,
    AlipayFinalError,
    AlipayNotifyRejected,
    AlipayRetryableError,
    AlipaySignatureError,
    AlipayTradeNotFound,
)
from channels.alipay.login import AlipayLogin
from channels.alipay.payment import AlipayGateway
from sandbox import alipay as alipay_sim
from sandbox.alipay.state import notify_content, sign
from sandbox.runner import RunningSimulator, start
from tests.wire.alipay_helpers import Merchant, client_for


@pytest.fixture
async def sim() -> AsyncIterator[RunningSimulator]:
    running = await start(alipay_sim.create_app(time_scale=1e-4))
    yield running
    await running.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def merchant(sim: RunningSimulator, http: aiohttp.ClientSession) -> AsyncIterator[Merchant]:
    """Our callback stand-in; the trades' notify_url points at it."""
    box = Merchant(AlipayGateway(client_for(sim, http)))
    running = await start(box.app())
    sim.app["zsb_base_url"] = running.base_url
    box.gateway.client.notify_url = running.base_url + "/callbacks/alipay"
    yield box
    await running.stop()


def no() -> str:
    return "ZSB" + uuid.uuid4().hex[:20]


async def post(http: aiohttp.ClientSession, url: str, data: dict[str, object]) -> dict:
    async with http.post(url, json=data) as resp:
        assert resp.status == 200, await resp.text()
        return await resp.json()


async def wait_for(predicate: Callable[[], object]) -> None:
    for _ in range(1000):  # up to ~10 s on a slow machine; usually a few ms
        if predicate():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("timed out")


# ---------------------------------------------------------------- login


async def test_login_with_user_id_and_code_is_single_use(
    sim: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    issued = await post(http, f"{sim.base_url}/_sim/oauth/code", {
        "user_id": "2088102104794936", "user_name": "张三", "cert_no": "11010519491231002X",
        "is_certified": "T", "cert_type": "0"})
    login = AlipayLogin(client_for(sim, http))
    who = await login.identify({"auth_code": issued["auth_code"]})
    assert who.channel == "alipay" and who.subject == "2088102104794936"
    assert who.extra["access_token"]
    info = await login.share_user_info(who.extra["access_token"])
    assert info["is_certified"] is True and info["is_id_card"] is True
    assert info["cert_no"] == "11010519491231002X" and info["user_name"] == "张三"
    with pytest.raises(AlipayAuthCodeInvalid) as reused:
        await login.identify({"auth_code": issued["auth_code"]})
    assert reused.value.sub_code == "isv.code-invalid" and reused.value.signed is False
    with pytest.raises(AlipayAuthTokenInvalid):
        await login.share_user_info("authusrBnot-a-token")
    refreshed = await login.client.refresh_oauth_token(who.extra["refresh_token"])
    assert refreshed["user_id"] == "2088102104794936" and refreshed["access_token"]
    with pytest.raises(AlipayAuthCodeInvalid):  # refresh tokens are single use too
        await login.client.refresh_oauth_token(who.extra["refresh_token"])


async def test_login_with_open_id(sim: RunningSimulator, http: aiohttp.ClientSession) -> None:
    issued = await post(http, f"{sim.base_url}/_sim/oauth/code",
                        {"open_id": "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5"})
    who = await AlipayLogin(client_for(sim, http)).identify({"auth_code": issued["auth_code"]})
    assert who.subject == "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5"
    info = await AlipayLogin(client_for(sim, http)).share_user_info(who.extra["access_token"])
    assert info["is_certified"] is False and info["cert_no"] is None


async def test_forged_response_signature_is_refused(
    sim: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    issued = await post(http, f"{sim.base_url}/_sim/oauth/code", {})
    await post(http, f"{sim.base_url}/_sim/faults", {"bad_response_sign": True})
    with pytest.raises(AlipaySignatureError):
        await AlipayLogin(client_for(sim, http)).identify({"auth_code": issued["auth_code"]})


async def test_tampered_response_body_is_refused(
    sim: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    client = client_for(sim, http)
    text = '{"code":"10000","msg":"Success","user_id":"2088000000000001"}'
    raw = '{"alipay_system_oauth_token_response":%s,"sign":"%s"}' % (  # noqa: UP031
        text.replace("0001", "0002"), sign(sim.app["state"].platform_key, text))
    with pytest.raises(AlipaySignatureError):
        client.parse_response("alipay.system.oauth.token", raw)
    unsigned = '{"alipay_system_oauth_token_response":%s}' % text  # noqa: UP031
    with pytest.raises(AlipaySignatureError):
        client.parse_response("alipay.system.oauth.token", unsigned)
    # a genuine signed member followed by a forged repeat of it: json would believe the second
    good = sign(sim.app["state"].platform_key, text)
    forged = text.replace("0001", "0002")
    doubled = ('{"alipay_system_oauth_token_response":%s,"sign":"%s",'  # noqa: UP031
               '"alipay_system_oauth_token_response":%s}' % (text, good, forged))
    with pytest.raises(AlipaySignatureError):
        client.parse_response("alipay.system.oauth.token", doubled)
    genuine = '{"alipay_system_oauth_token_response":%s,"sign":"%s"}' % (text, good)  # noqa: UP031
    assert client.parse_response("alipay.system.oauth.token", genuine)["user_id"] == (
        "2088000000000001")
    with pytest.raises(AlipayRetryableError):
        client.parse_response("alipay.trade.query", "<html>502 Bad Gateway</html>")


async def test_wrong_app_key_is_rejected_by_the_gateway(
    sim: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    client = client_for(sim, http, alipay_private_key_file=str(
        alipay_sim.state.KEYS / "alipay_platform_private_key.pem"))
    with pytest.raises(AlipayFinalError) as info:
        await client.trade_query("nothing")
    assert info.value.sub_code == "isv.invalid-signature"


async def test_gateway_busy_is_retryable_and_down_is_retryable(
    sim: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    await post(http, f"{sim.base_url}/_sim/fail",
               {"method": "alipay.trade.query", "code": "40004", "sub_code": "ACQ.SYSTEM_ERROR"})
    with pytest.raises(AlipayRetryableError):
        await client_for(sim, http).trade_query("x")
    await post(http, f"{sim.base_url}/_sim/fail", {"method": "alipay.trade.query"})
    with pytest.raises(AlipayRetryableError):
        await client_for(sim, http).trade_query("x")
    with pytest.raises(AlipayTradeNotFound):
        await client_for(sim, http).trade_query("x")
    down = client_for(sim, http, alipay_gateway="http://127.0.0.1:9/gateway.do")
    with pytest.raises(AlipayRetryableError):
        await down.trade_query("x")


# ---------------------------------------------------------------- mini-program payment


async def test_miniprogram_pay_notify_query_refund_bill(
    sim: RunningSimulator, http: aiohttp.ClientSession, merchant: Merchant
) -> None:
    gateway = merchant.gateway
    out_trade_no = no()
    created = await gateway.create(PayRequest(
        out_trade_no, 8888, "不动产登记费", "miniprogram", payer_id="2088102104794936",
        expires_at=datetime.now(UTC) + timedelta(minutes=30)))
    assert created["trade_no"]
    request = sim.app["state"].requests[-1]
    assert request["method"] == "alipay.trade.create" and '"JSAPI_PAY"' in request["biz_content"]
    assert '"buyer_id":"2088102104794936"' in request["biz_content"]
    assert (await gateway.query(out_trade_no)).state == "pending"

    await post(http, f"{sim.base_url}/_sim/pay", {"out_trade_no": out_trade_no})
    await wait_for(lambda: merchant.results)
    paid = merchant.results[0]
    assert paid.state == "paid" and paid.amount_fen == 8888
    assert paid.transaction_id == created["trade_no"] and paid.paid_at is not None
    assert "sign" not in paid.raw and paid.raw["notify_id"]

    queried = await gateway.query(out_trade_no)
    assert (queried.state, queried.amount_fen) == ("paid", 8888)
    with pytest.raises(AlipayFinalError) as closing:
        await gateway.close(out_trade_no)
    assert closing.value.sub_code == "ACQ.TRADE_STATUS_ERROR"

    refund_no = no()
    first = await gateway.refund(out_trade_no, refund_no, 1000, 8888, "部分退费")
    again = await gateway.refund(out_trade_no, refund_no, 1000, 8888, "部分退费")
    assert first["fund_change"] is True and again["fund_change"] is False
    assert first["refunded_total_fen"] == again["refunded_total_fen"] == 1000
    assert (await gateway.refund_status(out_trade_no, refund_no))["amount_fen"] == 1000
    assert (await gateway.refund_status(out_trade_no, no()))["status"] == "not_found"
    with pytest.raises(AlipayFinalError) as over:
        await gateway.refund(out_trade_no, no(), 7889, 8888, "超额")
    assert over.value.sub_code == "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    await wait_for(lambda: len(merchant.results) >= 2)
    refund_notify = merchant.results[1]
    assert (refund_notify.state, refund_notify.kind) == ("refunded", "refund")
    assert refund_notify.refund and refund_notify.refund.out_refund_no == refund_no
    # a refund notify's amount is refund_fee (refunded so far), not the trade's total_amount
    assert refund_notify.raw["refund_fee"] == "10.00" and refund_notify.amount_fen == 1000
    assert refund_notify.raw["total_fen"] == 8888
    assert merchant.results[0].kind == "payment"  # one word for both gateways

    today = alipay_sim.state.stamp()[:10]  # the bill day is Beijing's
    rows = await gateway.download_bill(today)
    mine = [r for r in rows if r["out_trade_no"] == out_trade_no]
    assert {(r["kind"], r["amount_fen"]) for r in mine} == {("pay", 8888), ("refund", 1000)}
    assert all(r["trade_no"] == created["trade_no"] for r in mine)
    assert next(r for r in mine if r["kind"] == "refund")["out_refund_no"] == refund_no


async def test_full_refund_notify_says_refunded(
    sim: RunningSimulator, http: aiohttp.ClientSession, merchant: Merchant
) -> None:
    out_trade_no = no()
    await merchant.gateway.create(PayRequest(out_trade_no, 100, "工本费", "miniprogram",
                                             payer_id="2088102104794936"))
    await post(http, f"{sim.base_url}/_sim/pay", {"out_trade_no": out_trade_no})
    await wait_for(lambda: merchant.results)
    await merchant.gateway.refund(out_trade_no, no(), 100, 100, "全额退费")
    await wait_for(lambda: len(merchant.results) >= 2)
    assert (merchant.results[1].state, merchant.results[1].kind) == ("refunded", "refund")
    assert merchant.results[1].raw["trade_status"] == "TRADE_CLOSED"
    assert (await merchant.gateway.query(out_trade_no)).state == "closed"


async def test_open_id_buyer_and_unknown_scene(
    sim: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    gateway = AlipayGateway(client_for(sim, http))
    await gateway.create(PayRequest(no(), 1, "测试", "miniprogram", payer_id="074aOPENID"))
    assert '"buyer_open_id":"074aOPENID"' in sim.app["state"].requests[-1]["biz_content"]
    with pytest.raises(AlipayFinalError):
        await gateway.create(PayRequest(no(), 1, "测试", "jsapi", payer_id="o-wx"))
    with pytest.raises(AlipayFinalError):
        await gateway.create(PayRequest(no(), 1, "测试", "miniprogram"))


async def test_close_unpaid_and_never_seen(
    sim: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    gateway = AlipayGateway(client_for(sim, http))
    out_trade_no = no()
    await gateway.create(PayRequest(out_trade_no, 500, "测试", "miniprogram",
                                    payer_id="2088102104794936"))
    await gateway.close(out_trade_no)
    assert (await gateway.query(out_trade_no)).state == "closed"
    await gateway.close(no())  # Alipay never saw it: nothing to close
    assert (await gateway.query(no())).state == "pending"


# ---------------------------------------------------------------- app payment


async def test_app_order_string_is_signed_and_payable(
    sim: RunningSimulator, http: aiohttp.ClientSession, merchant: Merchant
) -> None:
    out_trade_no = no()
    created = await merchant.gateway.create(PayRequest(out_trade_no, 8888, "证照工本费", "app"))
    params = dict(parse_qsl(created["order_string"]))
    assert params["method"] == "alipay.trade.app.pay" and params["sign_type"] == "RSA2"
    assert '"total_amount":"88.88"' in params["biz_content"]
    assert '"QUICK_MSECURITY_PAY"' in params["biz_content"]
    assert not sim.app["state"].requests  # no server call
    tampered = created["order_string"].replace("88.88", "0.01")
    async with http.post(f"{sim.base_url}/_sim/pay", json={"order_string": tampered}) as resp:
        assert resp.status == 400
    await post(http, f"{sim.base_url}/_sim/pay", {"order_string": created["order_string"]})
    await wait_for(lambda: merchant.results)
    assert (merchant.results[0].out_trade_no, merchant.results[0].amount_fen) == (
        out_trade_no, 8888)


# ---------------------------------------------------------------- notifies


async def _paid_trade(sim: RunningSimulator, http: aiohttp.ClientSession,
                      merchant: Merchant) -> str:
    out_trade_no = no()
    await merchant.gateway.create(PayRequest(out_trade_no, 2000, "测试", "miniprogram",
                                             payer_id="2088102104794936"))
    await post(http, f"{sim.base_url}/_sim/pay", {"out_trade_no": out_trade_no})
    return out_trade_no


async def test_notify_retried_until_success(
    sim: RunningSimulator, http: aiohttp.ClientSession, merchant: Merchant
) -> None:
    merchant.refuse = 2
    await _paid_trade(sim, http, merchant)
    state = sim.app["state"]
    await wait_for(lambda: state.acknowledged)
    attempts = [n["attempt"] for n in state.notifies]
    assert attempts == [1, 2, 3] and [n["answer"] for n in state.notifies][-1] == "success"
    assert len({n["notify_id"] for n in state.notifies}) == 1
    assert len(merchant.results) == 3


async def test_duplicate_and_wrong_amount_faults(
    sim: RunningSimulator, http: aiohttp.ClientSession, merchant: Merchant
) -> None:
    await post(http, f"{sim.base_url}/_sim/faults", {"duplicate_notify": 2, "wrong_amount": True})
    await _paid_trade(sim, http, merchant)
    await wait_for(lambda: len(merchant.results) == 3)
    assert {r.raw["notify_id"] for r in merchant.results} == {merchant.results[0].raw["notify_id"]}
    assert {r.amount_fen for r in merchant.results} == {2100}  # verified, but the amount is wrong


async def test_forged_notify_raises_signature_error(
    sim: RunningSimulator, http: aiohttp.ClientSession, merchant: Merchant
) -> None:
    await post(http, f"{sim.base_url}/_sim/faults", {"bad_notify_sign": True})
    await _paid_trade(sim, http, merchant)
    await wait_for(lambda: merchant.errors)
    assert isinstance(merchant.errors[0], AlipaySignatureError) and not merchant.results


async def test_signed_notify_for_another_app_or_seller_is_rejected(
    sim: RunningSimulator, http: aiohttp.ClientSession
) -> None:
    gateway = AlipayGateway(client_for(sim, http))
    key = sim.app["state"].platform_key
    base = {"notify_id": "n1", "app_id": alipay_sim.APP_ID, "seller_id": alipay_sim.SELLER_ID,
            "out_trade_no": "ZSB1", "trade_no": "T1", "trade_status": "TRADE_SUCCESS",
            "total_amount": "88.88", "sign_type": "RSA2", "subject": "测试 & 100%"}

    def body(**changes: str) -> bytes:
        params = {**base, **changes}
        params["sign"] = sign(key, notify_content(params))
        return urlencode(params).encode()

    ok = await gateway.verify_notify({}, body())
    assert (ok.state, ok.amount_fen, ok.raw["subject"]) == ("paid", 8888, "测试 & 100%")
    assert (await gateway.verify_notify({}, body(trade_status="TRADE_CLOSED"))).state == "closed"
    for changes in ({"app_id": "2021000000000009"}, {"seller_id": "2088000000000009"},
                    {"total_amount": "88.888"}, {"trade_status": "WHATEVER"}):
        with pytest.raises(AlipayNotifyRejected):
            await gateway.verify_notify({}, body(**changes))
    no_seller = {k: v for k, v in base.items() if k != "seller_id"}
    no_seller["sign"] = sign(key, notify_content(no_seller))
    with pytest.raises(AlipayNotifyRejected):  # genuine, but not provably ours
        await gateway.verify_notify({}, urlencode(no_seller).encode())
    with pytest.raises(AlipaySignatureError):
        await gateway.verify_notify({}, body().replace(b"88.88", b"99.99"))
    with pytest.raises(AlipaySignatureError):
        await gateway.verify_notify({}, b"out_trade_no=ZSB1&trade_status=TRADE_SUCCESS")
    with pytest.raises(AlipayNotifyRejected):
        await gateway.verify_notify({}, b"\xff\xfe")


# ---------------------------------------------------------------- messages


async def test_template_message(sim: RunningSimulator, http: aiohttp.ClientSession) -> None:
    client: AlipayClient = client_for(sim, http)
    await client.send_template_message("2088102104794936", "TPL001",
                                       {"keyword1": {"value": "已受理"}}, page="pages/case?id=1")
    sent = sim.app["state"].messages[-1]
    assert sent["to"] == "2088102104794936" and sent["data"]["keyword1"]["value"] == "已受理"


async def test_delayed_notify_still_arrives(
    sim: RunningSimulator, http: aiohttp.ClientSession, merchant: Merchant
) -> None:
    await post(http, f"{sim.base_url}/_sim/faults", {"notify_delay": 0.5})
    await _paid_trade(sim, http, merchant)
    assert not merchant.results  # the buyer paid; the notify is still on its way
    await wait_for(lambda: merchant.results)
    assert merchant.results[0].state == "paid"
