"""Expiry of unpaid orders and the daily reconciliation against the WeChat Pay bill."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app import clock
from app.payments import jobs
from app.payments.reconcile import reconcile
from models.payments import OrderStatus, PaymentOrder, ReconciliationMismatch, ReconciliationRun
from tests.payments.helpers import create_order, fee_due_case, order_status, sim

pytestmark = pytest.mark.asyncio


async def _order(api, citizen) -> str:  # type: ignore[no-untyped-def]
    person = await citizen()
    case = await fee_due_case(person.person_id)
    return str((await create_order(api, person.headers, case.id))["order"]["out_trade_no"])


async def _expire(no: str) -> None:
    await PaymentOrder.filter(out_trade_no=no).update(expires_at=clock.now() - timedelta(seconds=1))


async def test_expired_orders_are_closed_or_settled(api, citizen, server, sims) -> None:
    unpaid, paid_quietly = await _order(api, citizen), await _order(api, citizen)
    await sim(sims["wechatpay"].base_url, "pay", out_trade_no=paid_quietly, fault="silent")
    await _expire(unpaid)
    await _expire(paid_quietly)
    counts = await jobs.run_once(server.app.ctx.edges)
    assert counts.get("closed", 0) >= 1 and counts.get("applied", 0) >= 1
    assert await order_status(unpaid) == "closed"
    assert sims["wechatpay"].app["state"]["orders"][unpaid]["state"] == "CLOSED"
    assert await order_status(paid_quietly) == "paid"  # the notify never came: queried
    await jobs.run_once(server.app.ctx.edges)  # running again changes nothing
    assert await order_status(unpaid) == "closed"


async def test_reconciliation_finds_each_kind_and_reruns(api, citizen, server, staff,
                                                         sims) -> None:
    base = sims["wechatpay"].base_url
    day = "2025-06-0" + str(1 + uuid.uuid4().int % 9)  # a day of its own for this test run
    when = f"{day}T10:00:00+08:00"
    matched, quiet, tampered, ours_only = [await _order(api, citizen) for _ in range(4)]
    for no in (matched, quiet, tampered):
        await sim(base, "pay", out_trade_no=no, fault="silent", success_time=when)
    for no in (matched, tampered):  # these two we hear about
        order = await PaymentOrder.get(out_trade_no=no)
        await PaymentOrder.filter(id=order.id).update(
            status=OrderStatus.paid, paid_at=clock.now().replace(
                year=int(day[:4]), month=int(day[5:7]), day=int(day[8:]), hour=2))
    await sim(base, "tamper", out_trade_no=tampered, total=1)
    await PaymentOrder.filter(out_trade_no=ours_only).update(
        status=OrderStatus.paid, paid_at=clock.now().replace(
            year=int(day[:4]), month=int(day[5:7]), day=int(day[8:]), hour=3))
    stranger = "ZSBS" + uuid.uuid4().hex[:20].upper()
    await sim(base, "pay", out_trade_no=stranger, total=4200, fault="silent", success_time=when)

    run = await reconcile("wechatpay", day, edges=server.app.ctx.edges)
    assert run.status == "done"
    assert await order_status(quiet) == "paid"  # settled by the live query, not a mismatch
    found = {(m.kind, m.out_trade_no) for m in
             await ReconciliationMismatch.filter(run_id=run.id)}
    assert found == {("amount_differs", tampered), ("missing_local", stranger),
                     ("missing_platform", ours_only)}
    again = await reconcile("wechatpay", day, edges=server.app.ctx.edges)
    assert again.id == run.id
    assert await ReconciliationMismatch.filter(run_id=run.id).count() == 3
    assert await ReconciliationRun.filter(channel="wechatpay", bill_date=day).count() == 1

    # the department's staff see its orders' mismatches; one naming no order of ours only
    # admins see
    operator = await staff(roles=["operator"], department="PAYT")
    query = {"bill_date": day, "channel": "wechatpay"}
    listed = (await api.get("/api/v1/staff/payments/mismatches", params=query,
                            headers=operator.headers)).json()["items"]
    assert {m["kind"] for m in listed} == {"amount_differs", "missing_platform"}
    admin = await staff(roles=["admin"])
    listed = (await api.get("/api/v1/staff/payments/mismatches", params=query,
                            headers=admin.headers)).json()["items"]
    assert len(listed) == 3
    target = next(m for m in listed if m["kind"] == "missing_local")
    r = await api.post(f"/api/v1/staff/payments/mismatches/{target['id']}/resolve",
                       json={"note": "平台测试单，已核实"}, headers=operator.headers)
    assert r.status_code == 404
    r = await api.post(f"/api/v1/staff/payments/mismatches/{target['id']}/resolve",
                       json={"note": "平台测试单，已核实"}, headers=admin.headers)
    assert r.status_code == 200 and r.json()["resolved"] is True
    r = await api.post("/api/v1/staff/payments/reconcile",
                       json={"bill_date": day, "channel": "wechatpay"}, headers=operator.headers)
    assert r.status_code == 200 and r.json()["status"] == "done"
    r = await api.post("/api/v1/staff/payments/reconcile",  # shaped like a day, but none
                       json={"bill_date": "2026-13-45", "channel": "wechatpay"},
                       headers=operator.headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "VALIDATION_FAILED"
    kinds = [(m.kind, m.resolved) for m in await ReconciliationMismatch.filter(run_id=run.id)]
    assert sorted(kinds) == [("amount_differs", False), ("missing_local", True),
                             ("missing_platform", False)]


async def test_background_loop_takes_the_lease_and_stops_when_cancelled(server, kv) -> None:
    import asyncio

    task = asyncio.create_task(jobs.payment_jobs(server.app))
    for _ in range(100):
        if await kv.get(jobs.LEASE):
            break
        await asyncio.sleep(0.02)
    assert await kv.get(jobs.LEASE)  # the run's token (app.periodic), held while it runs
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)


async def test_reconciliation_day_is_beijing_midnight_to_midnight(api, citizen) -> None:
    """A payment at 00:30 Beijing belongs to that day's bill, one at 23:30 the evening before
    does not; on SQLite too, where times compare as text."""
    from datetime import UTC, datetime

    from app.payments.reconcile import _local, day_window

    inside, before = await _order(api, citizen), await _order(api, citizen)
    for no, at in ((inside, datetime(2031, 3, 2, 16, 30, tzinfo=UTC)),  # 03-03 00:30 Beijing
                   (before, datetime(2031, 3, 2, 15, 30, tzinfo=UTC))):  # 03-02 23:30 Beijing
        await PaymentOrder.filter(out_trade_no=no).update(status=OrderStatus.paid, paid_at=at)
    start, end = day_window("2031-03-03")
    assert start.utcoffset() == timedelta(0)
    paid, _ = await _local("wechatpay", start, end)
    assert inside in paid and before not in paid
