"""Staff alerts: the outbox events a department must act on reach its workbench once, scoped
to the department, and are acknowledged once; a payment anomaly is for staff only."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from tortoise.transactions import in_transaction

from app.outbox import emit
from app.staff import StaffPrincipal
from models.core import OutboxEvent
from models.push import Notification, StaffAlert
from push import staff_alerts
from tests.push.conftest import new_person


async def _emit(event_type: str, aggregate: str, aggregate_id: str, payload: dict[str, Any],
                person_id: int | None = None) -> int:
    async with in_transaction() as conn:
        return await emit(event_type, aggregate=aggregate, aggregate_id=aggregate_id,
                          payload=payload, person_id=person_id, priority="critical",
                          connection=conn)


async def test_department_alerts_are_listed_and_acknowledged_once(
    api: httpx.AsyncClient, staff: Any, make_dispatcher: Any
) -> None:
    dept = f"AL{uuid.uuid4().hex[:6]}"
    clerk = await staff(roles=["clerk"], department=dept)
    reviewer = await staff(roles=["reviewer"], department=dept)
    stranger = await staff(roles=["clerk"], department=f"AX{uuid.uuid4().hex[:6]}")
    case_id = str(2_000_000_000 + uuid.uuid4().int % 10**8)
    event = await _emit("case.clock_red", "case", case_id, {
        "case_id": int(case_id), "case_no": "202611220000099", "item_name": "食品经营许可",
        "department_id": clerk.department_id, "colour": "red", "days_used": 6})
    await make_dispatcher().drain()
    async with in_transaction() as conn:  # the same event again (a rerun) adds nothing
        await staff_alerts.record([await OutboxEvent.get(id=event)], conn)
    assert await StaffAlert.filter(event_id=event).count() == 1

    r = await api.get("/api/v1/staff/alerts", headers=clerk.headers)
    assert r.status_code == 200, r.text
    page = r.json()
    mine = [a for a in page["items"] if a["case_id"] == int(case_id)]
    assert len(mine) == 1 and page["open_count"] >= 1
    alert = mine[0]
    assert alert["title"] == "办件已超期" and "202611220000099" in alert["body"]
    assert alert["severity"] == "critical" and not alert["acknowledged"]
    r = await api.get("/api/v1/staff/alerts", headers=stranger.headers)
    assert all(a["id"] != alert["id"] for a in r.json()["items"])
    r = await api.post(f"/api/v1/staff/alerts/{alert['id']}/ack", headers=stranger.headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "ALERT_NOT_FOUND"

    r = await api.post(f"/api/v1/staff/alerts/{alert['id']}/ack", headers=reviewer.headers)
    assert r.status_code == 200 and r.json()["acknowledged_by"] == reviewer.id
    r = await api.post(f"/api/v1/staff/alerts/{alert['id']}/ack", headers=clerk.headers)
    assert r.json()["acknowledged_by"] == reviewer.id  # the first acknowledgement stays
    r = await api.get("/api/v1/staff/alerts", headers=clerk.headers)
    assert all(a["id"] != alert["id"] for a in r.json()["items"])  # open ones by default
    assert r.json()["open_count"] == page["open_count"] - 1
    r = await api.get("/api/v1/staff/alerts", headers=clerk.headers, params={"open": "false"})
    assert any(a["id"] == alert["id"] and a["acknowledged"] for a in r.json()["items"])
    for bad in (f"/api/v1/staff/alerts/{2**64}/ack", "/api/v1/staff/alerts/0/ack"):
        assert (await api.post(bad, headers=clerk.headers)).status_code == 404
    assert (await api.get("/api/v1/staff/alerts")).status_code == 401


async def test_payment_anomaly_is_for_staff_only_and_a_bad_one_blocks_nothing(
    staff: Any, make_dispatcher: Any
) -> None:
    person, _, _ = await new_person(devices=1)
    bad = await _emit("payment.anomaly", "payment_order", "1", {
        "out_trade_no": "ZSBBAD", "anomaly": "amount_mismatch", "amount_fen": "一百元"}, person)
    good = await _emit("payment.anomaly", "payment_order", "2", {
        "out_trade_no": "ZSB0001", "anomaly": "surplus", "amount_fen": 2500}, person)
    await make_dispatcher().drain()
    assert not await StaffAlert.filter(event_id=bad).exists()
    alert = await StaffAlert.get(event_id=good)
    assert alert.department_id is None and "25.00" in alert.body  # no case: admins see it
    assert not await Notification.filter(event_id__in=[bad, good]).exists()

    admin = await staff(roles=["admin"], department=f"AD{uuid.uuid4().hex[:6]}")
    as_admin = StaffPrincipal(admin.id, ("admin",), admin.department_id)
    items, _, _ = await staff_alerts.page(as_admin, open_only=True, before=None, limit=200)
    assert any(a["id"] == alert.id for a in items)
    as_clerk = StaffPrincipal(admin.id, ("clerk",), admin.department_id)
    items, _, _ = await staff_alerts.page(as_clerk, open_only=True, before=None, limit=200)
    assert all(a["id"] != alert.id for a in items)
