"""The user centre lists all my payment orders (not one case's), each with its receipt."""

from __future__ import annotations

from typing import Any

from tests.payments.helpers import TOTAL, create_order, fee_due_case, sim


async def test_all_my_orders_with_receipts(api: Any, citizen: Any, sims: Any) -> None:
    me, other = await citizen(), await citizen()
    paid_case = await fee_due_case(me.person_id, fee_stage="submission")
    open_case = await fee_due_case(me.person_id)
    paid = (await create_order(api, me.headers, paid_case.id))["order"]["out_trade_no"]
    unpaid = (await create_order(api, me.headers, open_case.id))["order"]["out_trade_no"]
    await sim(sims["wechatpay"].base_url, "pay", out_trade_no=paid, fault="silent")
    r = await api.post(f"/api/v1/payments/orders/{paid}/confirm", headers=me.headers)
    assert r.json()["status"] == "paid"
    mine = (await api.get("/api/v1/me/orders", headers=me.headers)).json()
    assert mine["total"] == 2
    by_no = {o["out_trade_no"]: o for o in mine["items"]}
    assert [o["out_trade_no"] for o in mine["items"]] == [unpaid, paid]  # newest first
    assert by_no[paid]["receipt"]["amount_fen"] == TOTAL and by_no[paid]["case_no"]
    assert by_no[unpaid]["receipt"] is None and by_no[unpaid]["status"] == "pending"
    assert (await api.get("/api/v1/me/orders", headers=other.headers)).json()["total"] == 0
    page = (await api.get("/api/v1/me/orders", params={"limit": 1, "offset": 1},
                          headers=me.headers)).json()
    assert [o["out_trade_no"] for o in page["items"]] == [paid]
