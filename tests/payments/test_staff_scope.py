"""Staff see reconciliation mismatches of their own department only (admins: all)."""

from __future__ import annotations

import uuid

import pytest

from app import clock
from models.payments import PaymentOrder, ReconciliationMismatch, ReconciliationRun
from tests.payments.helpers import TOTAL, fee_due_case

pytestmark = pytest.mark.asyncio


async def test_mismatches_are_scoped_to_the_department(api, citizen, staff) -> None:
    from models.core import Department

    person = await citizen()
    ours = await fee_due_case(person.person_id)  # department PAYT
    other_dept, _ = await Department.get_or_create(code="PAYO", defaults={"name": "另一个局"})
    theirs = await fee_due_case(person.person_id)
    theirs.department_id = other_dept.id
    await theirs.save()
    nos = []
    for case in (ours, theirs):
        no = "ZSBM" + uuid.uuid4().hex[:20].upper()
        await PaymentOrder.create(out_trade_no=no, case_id=case.id, person_id=person.person_id,
                                  channel="wechatpay", scene="app", subject="对账测试",
                                  amount_fen=TOTAL, expires_at=clock.now())
        nos.append(no)
    day = f"2025-{uuid.uuid4().int % 12 + 1:02d}-{uuid.uuid4().int % 28 + 1:02d}"
    run, _ = await ReconciliationRun.get_or_create(channel="alipay", bill_date=day,
                                                   defaults={"started_at": clock.now()})
    unknown = "ZSBU" + uuid.uuid4().hex[:20].upper()
    for no in (*nos, unknown):
        await ReconciliationMismatch.create(run_id=run.id, kind="amount_differs",
                                            out_trade_no=no, local_fen=TOTAL, platform_fen=1)

    async def seen(user) -> set[str]:  # type: ignore[no-untyped-def]
        r = await api.get("/api/v1/staff/payments/mismatches", params={"bill_date": day},
                          headers=user.headers)
        assert r.status_code == 200, r.text
        return {m["out_trade_no"] for m in r.json()["items"]}

    mine = await staff(roles=["reviewer"], department="PAYT")
    other = await staff(roles=["operator"], department="PAYO")
    admin = await staff(roles=["admin"], department="GA")
    assert await seen(mine) == {nos[0]}
    assert await seen(other) == {nos[1]}
    assert await seen(admin) == {*nos, unknown}
    theirs_id = (await ReconciliationMismatch.get(out_trade_no=nos[1])).id
    url = f"/api/v1/staff/payments/mismatches/{theirs_id}/resolve"
    r = await api.post(url, json={"note": "不是我的"}, headers=mine.headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "MISMATCH_NOT_FOUND"
    r = await api.post(url, json={"note": "已核实"}, headers=other.headers)
    assert r.status_code == 200 and r.json()["resolved"] is True
