"""Alipay mini-program payment through ``POST /callbacks/alipay``, against the Alipay simulator."""

from __future__ import annotations

import importlib

import pytest

from app.interfaces import NotifyKind
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


async def test_alipay_and_wechatpay_payment_notifies_store_one_kind(api, citizen, sims) -> None:
    person = await citizen()
    numbers = {}
    for channel, scene, payer in (("alipay", "miniprogram", "2088102177846880"),
                                  ("wechatpay", "app", None)):
        case = await fee_due_case(person.person_id)
        created = await create_order(api, person.headers, case.id, channel=channel,
                                     scene=scene, payer_id=payer)
        numbers[channel] = no = created["order"]["out_trade_no"]
        await sim(sims[channel].base_url, "pay", out_trade_no=no,
                  **({"buyer_id": payer} if payer else {}))

    async def recorded() -> bool:
        return await PaymentNotify.filter(out_trade_no__in=list(numbers.values()),
                                          verified=True).count() == 2

    await wait_for(recorded)
    rows = await PaymentNotify.filter(out_trade_no__in=list(numbers.values()))
    assert {(r.channel, r.kind) for r in rows} == {("alipay", NotifyKind.payment.value),
                                                   ("wechatpay", NotifyKind.payment.value)}


async def test_migration_normalises_the_stored_alipay_kind(server) -> None:
    from tortoise import connections

    migration = importlib.import_module("models.migrations.payments.0004_notify_kind_payment")
    row = await PaymentNotify.create(channel="alipay", kind="pay", body="{}",
                                     out_trade_no="MIGRATION-KIND")
    conn = connections.get("default")
    await conn.execute_script(migration.Migration.operations[0].sql)
    assert (await PaymentNotify.get(id=row.id)).kind == NotifyKind.payment
