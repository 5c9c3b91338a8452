"""WeChat Pay notifies through ``POST /callbacks/wechatpay``: the path that must never be wrong."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from app.payments.events import SYSTEM
from app.payments.settle import close_locked
from models.cases import Case, CaseEvent
from models.core import OutboxEvent
from models.payments import PaymentEvent, PaymentNotify, PaymentOrder, Receipt, Refund
from tests.payments.helpers import TOTAL, create_order, fee_due_case, order_status, sim, wait_for

pytestmark = pytest.mark.asyncio


async def _paid_silently(sims: Any, out_trade_no: str, **extra: Any) -> None:
    await sim(sims["wechatpay"].base_url, "pay", out_trade_no=out_trade_no, fault="silent",
              **extra)


async def _notify(sims: Any, out_trade_no: str, fault: str | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"out_trade_no": out_trade_no}
    if fault:
        body["fault"] = fault
    return await sim(sims["wechatpay"].base_url, "build_notify", **body)


async def _post(api: Any, notify: dict[str, Any]) -> Any:
    return await api.post("/callbacks/wechatpay", content=notify["body"].encode(),
                          headers=notify["headers"])


async def _counts(order: PaymentOrder) -> tuple[int, int, int]:
    paid_events = await PaymentEvent.filter(order_id=order.id, to_status="paid").count()
    case_events = await CaseEvent.filter(case_id=order.case_id, to_status="paid").count()
    outbox = await OutboxEvent.filter(event_type="payment.received",
                                      aggregate_id=str(order.id)).count()
    return paid_events, case_events, outbox


async def test_platform_notify_pays_order_moves_case_and_issues_receipt(
    api, citizen, sims
) -> None:
    person = await citizen()
    case = await fee_due_case(person.person_id)
    created = await create_order(api, person.headers, case.id)
    no = created["order"]["out_trade_no"]
    await sim(sims["wechatpay"].base_url, "pay", out_trade_no=no)  # the simulator notifies us

    async def paid() -> bool:
        return await order_status(no) == "paid"

    await wait_for(paid)
    order = await PaymentOrder.get(out_trade_no=no)
    assert order.transaction_id and order.paid_at
    assert await _counts(order) == (1, 1, 1)
    assert str((await Case.get(id=case.id)).status) == "paid"

    async def receipt_issued() -> bool:  # issued just after the payment's transaction
        return await Receipt.filter(order_id=order.id).exists()

    await wait_for(receipt_issued)
    receipt = await Receipt.get(order_id=order.id)
    assert receipt.amount_fen == TOTAL and len(receipt.items) == 2
    row = await PaymentNotify.get(channel="wechatpay", out_trade_no=no)
    assert row.verified and row.outcome == "applied" and row.body.startswith("{")


async def test_same_notify_twenty_times_at_once_changes_state_once(api, citizen, sims) -> None:
    person = await citizen()
    case = await fee_due_case(person.person_id)
    no = (await create_order(api, person.headers, case.id))["order"]["out_trade_no"]
    await _paid_silently(sims, no)
    notify = await _notify(sims, no)
    answers = await asyncio.gather(*(_post(api, notify) for _ in range(20)))
    assert [a.status_code for a in answers] == [204] * 20
    order = await PaymentOrder.get(out_trade_no=no)
    assert str(order.status) == "paid"
    assert await _counts(order) == (1, 1, 1)
    rows = await PaymentNotify.filter(channel="wechatpay", out_trade_no=no)
    assert len(rows) == 1 and rows[0].deliveries == 20 and rows[0].outcome == "applied"
    # and once more, later: still nothing new
    assert (await _post(api, notify)).status_code == 204
    assert await _counts(order) == (1, 1, 1)


@pytest.mark.parametrize(
    "fault,status",
    [("bad_signature", 401), ("stale", 401), ("wrong_amount", 400), ("no_amount", 400)],
)
async def test_refused_notifies_change_nothing(api, citizen, sims, fault, status) -> None:
    person = await citizen()
    case = await fee_due_case(person.person_id)
    no = (await create_order(api, person.headers, case.id))["order"]["out_trade_no"]
    await _paid_silently(sims, no)
    notify = await _notify(sims, no, fault)
    answer = await _post(api, notify)
    assert answer.status_code == status
    assert answer.json()["code"] == "FAIL"
    order = await PaymentOrder.get(out_trade_no=no)
    assert str(order.status) == "pending" and order.transaction_id is None
    assert await _counts(order) == (0, 0, 0)
    assert str((await Case.get(id=case.id)).status) == "fee_due"
    row = await PaymentNotify.get(channel="wechatpay", body=notify["body"])
    expected = (("amount_mismatch", True) if fault in ("wrong_amount", "no_amount")
                else ("rejected", False))
    assert (row.outcome, row.verified) == expected


async def test_forged_notify_is_stored_raw_unverified(api, citizen, sims) -> None:
    person = await citizen()
    case = await fee_due_case(person.person_id)
    no = (await create_order(api, person.headers, case.id))["order"]["out_trade_no"]
    await _paid_silently(sims, no)
    forged = await _notify(sims, no, "bad_signature")
    assert (await _post(api, forged)).status_code == 401
    row = await PaymentNotify.get(channel="wechatpay", body=forged["body"])
    assert not row.verified and row.notify_id is None and row.outcome == "rejected"
    assert row.headers["wechatpay-serial"]
    # the genuine notify still goes through afterwards
    assert (await _post(api, await _notify(sims, no))).status_code == 204
    assert await order_status(no) == "paid"


async def test_unknown_order_is_refused_and_recorded(api, sims) -> None:
    no = "ZSBX" + uuid.uuid4().hex[:20].upper()
    await sim(sims["wechatpay"].base_url, "pay", out_trade_no=no, total=999, fault="silent")
    answer = await _post(api, await _notify(sims, no))
    assert answer.status_code == 404 and answer.json()["code"] == "FAIL"
    row = await PaymentNotify.get(channel="wechatpay", out_trade_no=no)
    assert row.verified and row.outcome == "unknown_order"
    assert not await PaymentOrder.filter(out_trade_no=no).exists()


async def test_payment_for_a_closed_order_is_flagged_and_refunded(api, citizen, sims) -> None:
    from tortoise.transactions import in_transaction

    person = await citizen()
    case = await fee_due_case(person.person_id)
    no = (await create_order(api, person.headers, case.id))["order"]["out_trade_no"]
    async with in_transaction() as conn:  # we closed it; the platform's close never happened
        order = await PaymentOrder.select_for_update().using_db(conn).get(out_trade_no=no)
        await close_locked(order, actor=SYSTEM, reason="测试：本地已关闭", conn=conn)
    await _paid_silently(sims, no)
    assert (await _post(api, await _notify(sims, no))).status_code == 204
    order = await PaymentOrder.get(out_trade_no=no)
    assert str(order.anomaly) == "paid_after_close"
    assert await _counts(order) == (1, 0, 0)  # recorded, but the case does not move
    assert str((await Case.get(id=case.id)).status) == "fee_due"
    assert not await Receipt.filter(order_id=order.id).exists()

    async def refunded() -> bool:
        return await order_status(no) == "refunded"

    await wait_for(refunded)  # refund submitted after the answer, then notified by the sim
    refund = await Refund.get(order_id=order.id)
    assert refund.automatic and refund.amount_fen == TOTAL and str(refund.status) == "succeeded"
    assert await OutboxEvent.filter(event_type="payment.anomaly",
                                    aggregate_id=str(order.id)).count() == 1


async def test_second_payment_for_fees_already_paid_is_refunded(api, citizen, sims) -> None:
    from datetime import timedelta

    from app import clock

    person = await citizen()
    case = await fee_due_case(person.person_id)
    first = (await create_order(api, person.headers, case.id))["order"]["out_trade_no"]
    await _paid_silently(sims, first)
    assert (await _post(api, await _notify(sims, first))).status_code == 204
    # a second order for the same fees, e.g. left open on another device, also gets paid
    second = "ZSBD" + uuid.uuid4().hex[:20].upper()
    await PaymentOrder.create(out_trade_no=second, case_id=case.id, person_id=person.person_id,
                              channel="wechatpay", scene="app", subject="重复订单",
                              amount_fen=TOTAL, expires_at=clock.now() + timedelta(minutes=5))
    await sim(sims["wechatpay"].base_url, "pay", out_trade_no=second, total=TOTAL,
              fault="silent", notify_url="http://127.0.0.1:8000/callbacks/wechatpay")
    assert (await _post(api, await _notify(sims, second))).status_code == 204
    order = await PaymentOrder.get(out_trade_no=second)
    assert str(order.anomaly) == "duplicate_payment"
    assert await CaseEvent.filter(case_id=case.id, to_status="paid").count() == 1

    async def refunded() -> bool:
        return await order_status(second) == "refunded"

    await wait_for(refunded)
    assert await order_status(first) == "paid"


async def test_a_failure_while_acting_rolls_back_and_is_recorded(api, citizen, sims,
                                                                 monkeypatch) -> None:
    from app.payments import settle

    person = await citizen()
    case = await fee_due_case(person.person_id)
    no = (await create_order(api, person.headers, case.id))["order"]["out_trade_no"]
    await _paid_silently(sims, no)
    notify = await _notify(sims, no)

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("outbox down")

    monkeypatch.setattr(settle, "emit", broken)
    answer = await _post(api, notify)
    assert answer.status_code == 500 and answer.json()["code"] == "FAIL"
    order = await PaymentOrder.get(out_trade_no=no)
    assert str(order.status) == "pending" and await _counts(order) == (0, 0, 0)
    row = await PaymentNotify.get(channel="wechatpay", out_trade_no=no)
    assert (row.outcome, row.verified, row.deliveries) == ("error", True, 1)
    assert "outbox down" in (row.error or "")
    monkeypatch.undo()
    assert (await _post(api, notify)).status_code == 204  # WeChat's retry goes through
    assert await _counts(await PaymentOrder.get(out_trade_no=no)) == (1, 1, 1)
    row = await PaymentNotify.get(id=row.id)
    assert (row.outcome, row.deliveries, row.error) == ("applied", 2, None)
