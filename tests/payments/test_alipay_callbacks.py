"""Alipay mini-program payment through ``POST /callbacks/alipay``, against the Alipay simulator."""

from __future__ import annotations

import pytest

from models.cases import Case, CaseEvent
from models.core import OutboxEvent
from models.payments import PaymentNotify, PaymentOrder
from tests.payments.helpers import create_order, fee_due_case, order_status, sim, wait_for

pytestmark = pytest.mark.asyncio


async def test_alipay_payment_with_duplicate_notifies_is_applied_once(api, citizen,
                                                                      sims) -> None:
    base = sims["alipay"].base_url
    person = await citizen()
    case = await fee_due_case(person.person_id)
    created = await create_order(api, person.headers, case.id, channel="alipay",
                                 scene="miniprogram", payer_id="2088102177846880")
    no = created["order"]["out_trade_no"]
    assert created["pay"]["trade_no"]  # what my.tradePay needs
    await sim(base, "faults", duplicate_notify=True)
    try:
        await sim(base, "pay", out_trade_no=no, buyer_id="2088102177846880")

        async def settled() -> bool:
            rows = await PaymentNotify.filter(channel="alipay", out_trade_no=no)
            return await order_status(no) == "paid" and sum(r.deliveries for r in rows) >= 2

        await wait_for(settled)
    finally:
        await sim(base, "faults", duplicate_notify=False)
    order = await PaymentOrder.get(out_trade_no=no)
    assert str((await Case.get(id=case.id)).status) == "paid"
    assert await CaseEvent.filter(case_id=case.id, to_status="paid").count() == 1
    assert await OutboxEvent.filter(event_type="payment.received",
                                    aggregate_id=str(order.id)).count() == 1


async def test_forged_alipay_notify_answers_fail(api, citizen) -> None:
    person = await citizen()
    case = await fee_due_case(person.person_id)
    no = (await create_order(api, person.headers, case.id, channel="wechatpay", scene="app",
                             payer_id=None))["order"]["out_trade_no"]
    form = {"app_id": "2021000000000000", "out_trade_no": no, "trade_status": "TRADE_SUCCESS",
            "total_amount": "15.00", "notify_id": "forged", "sign_type": "RSA2",
            "sign": "Zm9yZ2Vk"}
    r = await api.post("/callbacks/alipay", data=form)
    assert r.status_code == 200 and r.text == "fail"
    row = await PaymentNotify.filter(channel="alipay", verified=False).order_by("-id").first()
    assert row is not None and row.outcome == "rejected" and no in row.body
    assert await order_status(no) == "pending"
