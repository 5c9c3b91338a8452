"""Money that should not have come, and refunds that will not go: surplus payments of a paid
order, duplicate payments of a case on Alipay, refunds the platform refuses."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest

from app import clock
from app.interfaces import PayRequest
from models.cases import CaseEvent
from models.core import OutboxEvent
from models.payments import PaymentEvent, PaymentNotify, PaymentOrder, Receipt, Refund
from tests.payments.helpers import TOTAL, create_order, fee_due_case, order_status, sim, wait_for

pytestmark = pytest.mark.asyncio
ALIPAY_BUYER = "2088102177846880"


async def _paid(api: Any, citizen: Any, sims: Any, channel: str = "wechatpay") -> tuple[str, Any]:
    person = await citizen()
    case = await fee_due_case(person.person_id)
    if channel == "alipay":
        created = await create_order(api, person.headers, case.id, channel="alipay",
                                     scene="miniprogram", payer_id=ALIPAY_BUYER)
        no = created["order"]["out_trade_no"]
        await sim(sims["alipay"].base_url, "pay", out_trade_no=no, buyer_id=ALIPAY_BUYER)
    else:
        no = (await create_order(api, person.headers, case.id))["order"]["out_trade_no"]
        await sim(sims["wechatpay"].base_url, "pay", out_trade_no=no)

    async def paid() -> bool:
        return await order_status(no) == "paid"

    await wait_for(paid)
    return no, case


async def _surplus_refund(order: PaymentOrder) -> Refund | None:
    return await Refund.filter(order_id=order.id, transaction_id__isnull=False).first()


@pytest.mark.parametrize("channel", ["wechatpay", "alipay"])
async def test_second_transaction_for_a_paid_order_is_flagged_and_refunded(
    api, citizen, sims, channel
) -> None:
    no, case = await _paid(api, citizen, sims, channel)
    first = await PaymentOrder.get(out_trade_no=no)
    answer = await sim(sims[channel].base_url, "pay_again", out_trade_no=no)
    second_tx = answer.get("transaction_id") or answer["trade_no"]
    assert second_tx != first.transaction_id

    async def surplus_refunded() -> bool:
        refund = await _surplus_refund(first)
        return refund is not None and str(refund.status) == "succeeded"

    await wait_for(surplus_refunded)
    refund = await _surplus_refund(first)
    assert refund is not None
    assert (refund.automatic, refund.transaction_id, refund.amount_fen) == (True, second_tx, TOTAL)
    order = await PaymentOrder.get(id=first.id)
    # the order's own payment stands: still paid, nothing refunded of it, receipt kept
    assert (str(order.status), order.transaction_id, order.refunded_fen) == (
        "paid", first.transaction_id, 0)
    assert order.anomaly is None
    assert await PaymentEvent.filter(order_id=order.id, to_status="paid").count() == 1
    assert await PaymentEvent.filter(order_id=order.id, to_status="surplus_payment").count() == 1
    assert await PaymentEvent.filter(order_id=order.id, to_status="surplus_refunded").count() == 1
    assert await CaseEvent.filter(case_id=case.id, to_status="paid").count() == 1
    assert await OutboxEvent.filter(event_type="payment.anomaly",
                                    aggregate_id=str(order.id)).count() == 1

    async def receipt_issued() -> bool:
        return await Receipt.filter(order_id=order.id).exists()

    await wait_for(receipt_issued)
    assert (await Receipt.get(order_id=order.id)).status == "issued"
    if channel == "wechatpay":  # the platform refunded the second transaction, not the first
        refunds = sims["wechatpay"].app["state"]["refunds"]
        assert refunds[refund.out_refund_no]["transaction_id"] == second_tx


async def test_surplus_notify_twenty_times_refunds_once(api, citizen, sims) -> None:
    no, _ = await _paid(api, citizen, sims)
    base = sims["wechatpay"].base_url
    await sim(base, "pay_again", out_trade_no=no, fault="silent")
    state = sims["wechatpay"].app["state"]["orders"]
    second = next(o for k, o in state.items() if k.startswith(no + "#"))
    notify = await sim(base, "build_notify", out_trade_no=second["key"])
    answers = await asyncio.gather(*(
        api.post("/callbacks/wechatpay", content=notify["body"].encode(),
                 headers=notify["headers"]) for _ in range(20)))
    assert [a.status_code for a in answers] == [204] * 20
    order = await PaymentOrder.get(out_trade_no=no)
    assert await Refund.filter(order_id=order.id, transaction_id__isnull=False).count() == 1
    assert await PaymentEvent.filter(order_id=order.id, to_status="surplus_payment").count() == 1
    row = await PaymentNotify.get(channel="wechatpay", body=notify["body"])
    assert row.deliveries == 20 and row.outcome == "anomaly"


async def test_alipay_second_order_of_a_paid_case_is_refunded(api, citizen, sims,
                                                              server) -> None:
    no, case = await _paid(api, citizen, sims, "alipay")
    first = await PaymentOrder.get(out_trade_no=no)
    # a second order of the same fees, left open elsewhere, is paid too
    second = "ZSBA" + uuid.uuid4().hex[:20].upper()
    await PaymentOrder.create(out_trade_no=second, case_id=case.id, person_id=first.person_id,
                              channel="alipay", scene="miniprogram", subject="重复订单",
                              amount_fen=TOTAL, expires_at=clock.now() + timedelta(minutes=5))
    gw = server.app.ctx.edges.payment("alipay")
    await gw.create(PayRequest(second, TOTAL, "重复订单", "miniprogram", payer_id=ALIPAY_BUYER))
    await sim(sims["alipay"].base_url, "pay", out_trade_no=second, buyer_id=ALIPAY_BUYER)

    async def refunded() -> bool:
        return await order_status(second) == "refunded"

    await wait_for(refunded)
    order = await PaymentOrder.get(out_trade_no=second)
    assert str(order.anomaly) == "duplicate_payment"
    assert await order_status(no) == "paid"
    assert await CaseEvent.filter(case_id=case.id, to_status="paid").count() == 1
    assert not await Receipt.filter(order_id=order.id).exists()


async def test_failed_automatic_refund_alerts_staff_and_can_be_retried(
    api, citizen, sims, staff
) -> None:
    from tortoise.transactions import in_transaction

    from app.payments.events import SYSTEM
    from app.payments.settle import close_locked

    base = sims["alipay"].base_url
    person = await citizen()
    case = await fee_due_case(person.person_id)
    no = (await create_order(api, person.headers, case.id, channel="alipay", scene="miniprogram",
                             payer_id=ALIPAY_BUYER))["order"]["out_trade_no"]
    async with in_transaction() as conn:  # closed here; the platform's close never happened
        order = await PaymentOrder.select_for_update().using_db(conn).get(out_trade_no=no)
        await close_locked(order, actor=SYSTEM, reason="测试：本地已关闭", conn=conn)
    await sim(base, "fail", method="alipay.trade.refund", code="40004",
              sub_code="ACQ.REFUND_FEE_ERROR", sub_msg="退款金额不合法", times=1)
    await sim(base, "pay", out_trade_no=no, buyer_id=ALIPAY_BUYER)

    async def refund_failed() -> bool:
        refund = await Refund.filter(order__out_trade_no=no).first()
        return refund is not None and str(refund.status) == "failed"

    await wait_for(refund_failed)
    order = await PaymentOrder.get(out_trade_no=no)
    alert = await OutboxEvent.get(event_type="payment.refund_failed", aggregate_id=str(order.id))
    assert alert.priority == "critical" and alert.payload["automatic"] is True
    assert alert.payload["department_id"] == case.department_id
    refund = await Refund.get(order_id=order.id)
    reviewer = await staff(roles=["reviewer"], department="PAYT")
    listed = (await api.get("/api/v1/staff/payments/refunds/failed",
                            headers=reviewer.headers)).json()["items"]
    assert refund.out_refund_no in [r["out_refund_no"] for r in listed]
    elsewhere = await staff(roles=["reviewer"], department="GA")
    listed = (await api.get("/api/v1/staff/payments/refunds/failed",
                            headers=elsewhere.headers)).json()["items"]
    assert refund.out_refund_no not in [r["out_refund_no"] for r in listed]
    url = f"/api/v1/staff/payments/orders/{no}/refunds/{refund.out_refund_no}/retry"
    assert (await api.post(url, headers=elsewhere.headers)).status_code == 404
    r = await api.post(url, headers=reviewer.headers)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "succeeded"
    assert await order_status(no) == "refunded"
    again = await api.post(url, headers=reviewer.headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "REFUND_NOT_FAILED"


def _alipay_refund_notify(sims: Any, order: PaymentOrder, out_refund_no: str,
                          refund_fee: str) -> dict[str, str]:
    from sandbox.alipay.state import notify_content, sign

    state = sims["alipay"].app["state"]
    params = {
        "notify_time": "2026-11-22 12:00:00", "notify_type": "trade_status_sync",
        "notify_id": uuid.uuid4().hex, "app_id": state.app_id, "charset": "utf-8",
        "version": "1.0", "sign_type": "RSA2", "trade_no": str(order.transaction_id),
        "out_trade_no": order.out_trade_no, "seller_id": state.seller_id,
        "trade_status": "TRADE_SUCCESS", "total_amount": "15.00", "refund_fee": refund_fee,
        "gmt_refund": "2026-11-22 12:00:00.000", "out_biz_no": out_refund_no,
    }
    params["sign"] = sign(state.platform_key, notify_content(params))
    return params


async def test_alipay_refund_notify_is_judged_by_refund_fee(api, citizen, sims,
                                                           server) -> None:
    no, _ = await _paid(api, citizen, sims, "alipay")
    order = await PaymentOrder.get(out_trade_no=no)
    refund = await Refund.create(order_id=order.id, out_refund_no=f"{no}T1", amount_fen=500,
                                 reason="测试退款")
    gw = server.app.ctx.edges.payment("alipay")
    from urllib.parse import urlencode

    low = _alipay_refund_notify(sims, order, refund.out_refund_no, "3.00")
    result = await gw.verify_notify({}, urlencode(low).encode())
    # the refunded total, not the trade's total_amount
    assert (result.amount_fen, result.raw["refunded_total_fen"], result.raw["total_fen"]) == (
        300, 300, TOTAL)
    r = await api.post("/callbacks/alipay", data=low)
    assert r.text == "fail"  # 3.00 refunded in all cannot include a refund of 5.00
    assert str((await Refund.get(id=refund.id)).status) == "pending"
    row = await PaymentNotify.get(channel="alipay", notify_id=low["notify_id"])
    assert row.outcome == "amount_mismatch"
    r = await api.post("/callbacks/alipay",
                       data=_alipay_refund_notify(sims, order, refund.out_refund_no, "5.00"))
    assert r.text == "success"
    assert str((await Refund.get(id=refund.id)).status) == "succeeded"
    assert (await PaymentOrder.get(id=order.id)).refunded_fen == 500


async def test_withdrawing_closes_the_pending_order_and_late_money_is_refunded(
    api, citizen, sims
) -> None:
    """A withdrawn case waits for no fees: its open order is closed (here and at WeChat Pay),
    and a payment that lands for a case that left fee_due unpaid is refunded, not kept."""
    from models.cases import Case

    person = await citizen()
    case = await fee_due_case(person.person_id)
    no = (await create_order(api, person.headers, case.id))["order"]["out_trade_no"]
    r = await api.post(f"/api/v1/cases/{case.id}/withdraw", headers=person.headers, json={})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn", r.text
    assert await order_status(no) == "closed"
    assert sims["wechatpay"].app["state"]["orders"][no]["state"] == "CLOSED"

    # the race the close cannot win: an order still open while its case was withdrawn
    other = await fee_due_case(person.person_id)
    late = (await create_order(api, person.headers, other.id))["order"]["out_trade_no"]
    await Case.filter(id=other.id).update(status="withdrawn")
    await sim(sims["wechatpay"].base_url, "pay", out_trade_no=late)

    async def refunded() -> bool:
        order = await PaymentOrder.get(out_trade_no=late)
        return str(order.anomaly) == "case_not_payable" and await Refund.filter(
            order_id=order.id, automatic=True).exists()

    await wait_for(refunded)
    assert (await Case.get(id=other.id)).status == "withdrawn"
    assert not await Receipt.filter(order__out_trade_no=late).exists()


async def test_retrying_a_failed_refund_cannot_refund_twice(api, citizen, sims, staff) -> None:
    """A failed refund replaced by another one: retrying the first must not give back more
    than the order took."""
    no, _case = await _paid(api, citizen, sims, "alipay")
    reviewer = await staff(roles=["reviewer"], department="PAYT")
    url = f"/api/v1/staff/payments/orders/{no}/refunds"
    await sim(sims["alipay"].base_url, "fail", method="alipay.trade.refund", code="40004",
              sub_code="ACQ.SYSTEM_ERROR_FINAL", sub_msg="退款失败", times=1)
    first = await api.post(url, json={"amount_fen": 1000, "reason": "多收退回",
                                      "out_refund_no": f"{no}F1"}, headers=reviewer.headers)
    assert first.status_code == 201 and first.json()["status"] == "failed", first.text
    second = await api.post(url, json={"amount_fen": 1000, "reason": "多收退回",
                                       "out_refund_no": f"{no}F2"}, headers=reviewer.headers)
    assert second.status_code == 201 and second.json()["status"] == "succeeded", second.text
    r = await api.post(f"{url}/{no}F1/retry", headers=reviewer.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "REFUND_AMOUNT_INVALID"
    order = await PaymentOrder.get(out_trade_no=no)
    assert order.refunded_fen == 1000 and str((await Refund.get(out_refund_no=f"{no}F1")).status
                                              ) == "failed"
