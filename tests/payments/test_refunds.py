"""Staff refunds: partial, idempotent by refund number, completed by the platform's notify."""

from __future__ import annotations

import pytest

from models.core import OutboxEvent
from models.payments import PaymentEvent, PaymentOrder, Receipt, Refund
from tests.payments.helpers import TOTAL, create_order, fee_due_case, order_status, sim, wait_for

pytestmark = pytest.mark.asyncio


async def _paid_order(api, citizen, sims) -> str:  # type: ignore[no-untyped-def]
    person = await citizen()
    case = await fee_due_case(person.person_id)
    no = (await create_order(api, person.headers, case.id))["order"]["out_trade_no"]
    await sim(sims["wechatpay"].base_url, "pay", out_trade_no=no)

    async def paid() -> bool:
        return await order_status(no) == "paid"

    await wait_for(paid)
    return no


async def _refund_status(number: str) -> str:
    return str((await Refund.get(out_refund_no=number)).status)


async def test_partial_then_full_refund(api, citizen, staff, sims) -> None:
    no = await _paid_order(api, citizen, sims)
    reviewer = await staff(roles=["reviewer"], department="PAYT")
    url = f"/api/v1/staff/payments/orders/{no}/refunds"
    body = {"amount_fen": 500, "reason": "邮寄费退回", "out_refund_no": f"{no}P1"}
    r = await api.post(url, json=body, headers=reviewer.headers)
    assert r.status_code == 201, r.text
    assert r.json()["status"] in ("processing", "succeeded")
    again = await api.post(url, json=body, headers=reviewer.headers)  # retried by the client
    assert again.status_code == 201 and again.json()["out_refund_no"] == f"{no}P1"
    assert await Refund.filter(out_refund_no=f"{no}P1").count() == 1
    conflict = await api.post(url, json={**body, "amount_fen": 600}, headers=reviewer.headers)
    assert conflict.status_code == 409

    async def done() -> bool:
        return await _refund_status(f"{no}P1") == "succeeded"

    await wait_for(done)  # the simulator's REFUND.SUCCESS notify
    order = await PaymentOrder.get(out_trade_no=no)
    assert (str(order.status), order.refunded_fen) == ("paid", 500)
    too_much = await api.post(url, json={"amount_fen": TOTAL, "reason": "全部退回"},
                              headers=reviewer.headers)
    assert too_much.status_code == 400
    assert too_much.json()["error"]["code"] == "REFUND_AMOUNT_INVALID"
    rest = await api.post(url, json={"amount_fen": TOTAL - 500, "reason": "撤回办件退费"},
                          headers=reviewer.headers)
    assert rest.status_code == 201, rest.text

    async def refunded() -> bool:
        return await order_status(no) == "refunded"

    await wait_for(refunded)
    order = await PaymentOrder.get(out_trade_no=no)
    assert order.refunded_fen == TOTAL
    assert (await Receipt.get(order_id=order.id)).status == "voided"
    assert await OutboxEvent.filter(event_type="payment.refunded",
                                    aggregate_id=str(order.id)).count() == 2
    detail = (await api.get(f"/api/v1/staff/payments/orders/{no}",
                            headers=reviewer.headers)).json()
    assert [e["to"] for e in detail["events"]] == [
        "pending", "paid", "refund_requested", "partially_refunded", "refund_requested",
        "refunded",
    ]
    assert await PaymentEvent.filter(order_id=order.id, to_status="paid").count() == 1


async def test_refund_needs_the_reviewer_role_and_a_paid_order(api, citizen, staff) -> None:
    person = await citizen()
    case = await fee_due_case(person.person_id)
    no = (await create_order(api, person.headers, case.id))["order"]["out_trade_no"]
    clerk = await staff(roles=["clerk"], department="PAYT")
    body = {"amount_fen": 100, "reason": "测试退款"}
    r = await api.post(f"/api/v1/staff/payments/orders/{no}/refunds", json=body,
                       headers=clerk.headers)
    assert r.status_code == 403
    reviewer = await staff(roles=["reviewer"], department="PAYT")
    r = await api.post(f"/api/v1/staff/payments/orders/{no}/refunds", json=body,
                       headers=reviewer.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "ORDER_NOT_REFUNDABLE"
    r = await api.post("/api/v1/staff/payments/orders/ZSBNOSUCHORDER/refunds", json=body,
                       headers=reviewer.headers)
    assert r.status_code == 404
    elsewhere = await staff(roles=["reviewer"], department="GA")  # another department's order
    r = await api.post(f"/api/v1/staff/payments/orders/{no}/refunds", json=body,
                       headers=elsewhere.headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "ORDER_NOT_FOUND"
    r = await api.get(f"/api/v1/staff/payments/orders/{no}", headers=elsewhere.headers)
    assert r.status_code == 404
    admin = await staff(roles=["admin"], department="GA")
    assert (await api.get(f"/api/v1/staff/payments/orders/{no}",
                          headers=admin.headers)).status_code == 200


async def test_refund_without_notify_is_settled_by_the_job(api, citizen, staff, server,
                                                           sims) -> None:
    from datetime import timedelta

    from app.payments import jobs

    no = await _paid_order(api, citizen, sims)
    reviewer = await staff(roles=["reviewer"], department="PAYT")
    await sim(sims["wechatpay"].base_url, "options", refund_notify=False)
    try:
        r = await api.post(f"/api/v1/staff/payments/orders/{no}/refunds",
                           json={"amount_fen": 300, "reason": "部分退费"}, headers=reviewer.headers)
        assert r.status_code == 201 and r.json()["status"] == "processing"
        number = r.json()["out_refund_no"]

        async def finished_at_platform() -> bool:
            refund = sims["wechatpay"].app["state"]["refunds"][number]
            return bool(refund["status"] == "SUCCESS")

        await wait_for(finished_at_platform)
    finally:
        await sim(sims["wechatpay"].base_url, "options", refund_notify=True)
    assert await _refund_status(number) == "processing"  # no notify came
    settled = await jobs.check_refunds(server.app.ctx.edges, older_than=timedelta(0))
    assert settled >= 1 and await _refund_status(number) == "succeeded"
    assert (await PaymentOrder.get(out_trade_no=no)).refunded_fen == 300


async def test_refund_notify_naming_another_order_changes_nothing(api, citizen, sims) -> None:
    from app.interfaces import NotifyKind, PayResult, PayState, RefundFacts
    from app.payments.events import PayActor
    from app.payments.refunds import apply_refund_result

    no, other = await _paid_order(api, citizen, sims), await _paid_order(api, citizen, sims)
    order = await PaymentOrder.get(out_trade_no=no)
    refund = await Refund.create(order_id=order.id, out_refund_no=f"{no}N1", amount_fen=100,
                                 reason="测试退款")
    actor = PayActor("platform", "wechatpay")

    def notify(out_trade_no: str) -> PayResult:
        return PayResult(out_trade_no=out_trade_no, state=PayState.refunded, amount_fen=100,
                         kind=NotifyKind.refund,
                         refund=RefundFacts(out_refund_no=refund.out_refund_no))

    for wrong, channel in ((other, "wechatpay"), (no, "alipay")):
        settled = await apply_refund_result(notify(wrong), channel=channel, actor=actor)
        assert settled.outcome == "unknown_order"
    assert await _refund_status(refund.out_refund_no) == "pending"
    assert (await PaymentOrder.get(id=order.id)).refunded_fen == 0
    settled = await apply_refund_result(notify(no), channel="wechatpay", actor=actor)
    assert settled.outcome == "applied" and await _refund_status(refund.out_refund_no) == (
        "succeeded")


async def test_automatic_refund_numbers_are_reserved(api, citizen, staff, sims) -> None:
    no = await _paid_order(api, citizen, sims)
    reviewer = await staff(roles=["reviewer"], department="PAYT")
    url = f"/api/v1/staff/payments/orders/{no}/refunds"
    for number in ("ZSB2026000001AR", "ZSB2026000001S0A1B2C3D"):
        r = await api.post(url, json={"amount_fen": 100, "reason": "测试退款",
                                      "out_refund_no": number}, headers=reviewer.headers)
        assert r.status_code == 422, r.text
    assert not await Refund.filter(order__out_trade_no=no).exists()
