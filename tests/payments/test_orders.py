"""Citizen payment API: orders from the catalogue's fees, pay parameters, "I paid", receipts."""

from __future__ import annotations

import pytest

from channels.wechatpay import signing
from models.cases import Case
from models.payments import PaymentOrder, PaymentOrderItem
from sandbox.wechatpay import KEYS
from tests.payments.helpers import TOTAL, create_order, fee_due_case, order_status, sim

pytestmark = pytest.mark.asyncio


async def test_order_amount_and_fee_lines_come_from_the_catalogue(api, citizen, sims) -> None:
    person = await citizen()
    case = await fee_due_case(person.person_id)
    r = await api.post(
        "/api/v1/payments/orders",
        json={"case_id": case.id, "channel": "wechatpay", "scene": "jsapi",
              "payer_id": "oPayer", "amount_fen": 1},  # an amount from the client is ignored
        headers=person.headers,
    )
    assert r.status_code == 201, r.text
    data = r.json()
    assert data["order"]["amount_fen"] == TOTAL and data["order"]["status"] == "pending"
    params = data["pay"]["params"]
    assert params["signType"] == "RSA" and params["package"].startswith("prepay_id=")
    key = signing.load_private_key_file(str(KEYS / "wechatpy_apiclient_key.pem"))
    message = signing.sign_lines(params["appId"], params["timeStamp"], params["nonceStr"],
                                 params["package"])
    assert signing.verify(message, params["paySign"], key.public_key())
    order = await PaymentOrder.get(out_trade_no=data["order"]["out_trade_no"])
    items = await PaymentOrderItem.filter(order_id=order.id).order_by("id")
    assert [(i.amount_fen, i.nontax_code, i.collecting_unit_code) for i in items] == [
        (1000, "103040100", "330100001"), (500, "103040199", "330100001")
    ]
    again = await create_order(api, person.headers, case.id, payer_id="oPayer")
    assert again["order"]["out_trade_no"] == order.out_trade_no  # same way to pay: same order


async def test_switching_payment_method_closes_the_old_order(api, citizen, sims) -> None:
    person = await citizen()
    case = await fee_due_case(person.person_id)
    first = (await create_order(api, person.headers, case.id))["order"]["out_trade_no"]
    second = await create_order(api, person.headers, case.id, scene="app", payer_id=None)
    assert second["pay"]["params"]["package"] == "Sign=WXPay"
    assert second["order"]["out_trade_no"] != first
    assert await order_status(first) == "closed"
    assert sims["wechatpay"].app["state"]["orders"][first]["state"] == "CLOSED"


async def test_someone_elses_case_and_a_case_without_fees_due(api, citizen) -> None:
    owner, other = await citizen(), await citizen()
    case = await fee_due_case(owner.person_id)
    body = {"case_id": case.id, "channel": "wechatpay", "scene": "app"}
    r = await api.post("/api/v1/payments/orders", json=body, headers=other.headers)
    assert r.status_code == 404 and r.json()["error"]["code"] == "CASE_NOT_FOUND"
    await Case.filter(id=case.id).update(status="under_review")
    r = await api.post("/api/v1/payments/orders", json=body, headers=owner.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "NO_FEE_DUE"
    r = await api.post("/api/v1/payments/orders", json={**body, "scene": "miniprogram"},
                       headers=owner.headers)
    assert r.status_code == 400 and r.json()["error"]["code"] == "PAYMENT_SCENE_UNSUPPORTED"
    r = await api.post("/api/v1/payments/orders", json={**body, "scene": "jsapi"},
                       headers=owner.headers)  # no openid given and no WeChat account bound
    assert r.status_code == 400 and r.json()["error"]["code"] == "PAYER_REQUIRED"


async def test_i_paid_asks_the_platform_and_receipt_shows_up(api, citizen, sims) -> None:
    person = await citizen()
    case = await fee_due_case(person.person_id, fee_stage="submission")
    no = (await create_order(api, person.headers, case.id))["order"]["out_trade_no"]
    r = await api.post(f"/api/v1/payments/orders/{no}/confirm", headers=person.headers)
    assert r.status_code == 200 and r.json()["status"] == "pending"  # not believed
    await sim(sims["wechatpay"].base_url, "pay", out_trade_no=no, fault="silent")
    r = await api.post(f"/api/v1/payments/orders/{no}/confirm", headers=person.headers)
    assert r.status_code == 200 and r.json()["status"] == "paid", r.text
    # fees at submission: paid, then submitted automatically
    assert str((await Case.get(id=case.id)).status) == "submitted"
    r = await api.post("/api/v1/payments/orders",
                       json={"case_id": case.id, "channel": "wechatpay", "scene": "app"},
                       headers=person.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "ALREADY_PAID"
    receipts = (await api.get("/api/v1/payments/receipts", headers=person.headers)).json()
    mine = [x for x in receipts["items"] if x["out_trade_no"] == no]
    assert len(mine) == 1 and mine[0]["amount_fen"] == TOTAL and mine[0]["status"] == "issued"
    assert mine[0]["items"][0]["nontax_code"] == "103040100"
    listed = (await api.get("/api/v1/payments/orders", params={"case_id": case.id},
                            headers=person.headers)).json()
    assert [o["status"] for o in listed["items"]] == ["paid"]
    other = await citizen()
    r = await api.post(f"/api/v1/payments/orders/{no}/confirm", headers=other.headers)
    assert r.status_code == 404


async def test_postage_is_a_fee_line_when_the_result_goes_by_courier(
    api, citizen, staff, sims
) -> None:
    from tests.cases.conftest import filed_case, make_item

    clerk = await staff(roles=["clerk"], department="POST")
    item = await make_item(clerk.department_id, postage_fen=1200, fee_timing="submission",
                           delivery_options=["window", "express"])
    person = await citizen()
    draft = await filed_case(api, person.headers, item, submit=False)
    assert draft["delivery"] == "window" and draft["fees"]["total_fen"] == 0
    r = await api.patch(f"/api/v1/cases/{draft['id']}", headers=person.headers,
                        json={"delivery": "express"})
    assert r.status_code == 200, r.text
    assert r.json()["fees"] == {"stage": "submission", "total_fen": 1200, "paid_at": None}
    r = await api.post(f"/api/v1/cases/{draft['id']}/submit", headers=person.headers)
    assert r.status_code == 200 and r.json()["status"] == "fee_due", r.text
    order = (await create_order(api, person.headers, draft["id"]))["order"]
    assert order["amount_fen"] == 1200
    items = await PaymentOrderItem.filter(order__out_trade_no=order["out_trade_no"])
    assert [(i.name, i.amount_fen) for i in items] == [("邮寄费", 1200)]

    back = await filed_case(api, person.headers, item, submit=False)
    await api.patch(f"/api/v1/cases/{back['id']}", headers=person.headers,
                    json={"delivery": "express"})
    r = await api.patch(f"/api/v1/cases/{back['id']}", headers=person.headers,
                        json={"delivery": "window"})
    assert r.json()["fees"]["total_fen"] == 0 and r.json()["fees"]["stage"] is None


async def test_postage_cannot_be_skipped_through_the_delivery_choice(
    api, citizen, staff, sims
) -> None:
    """The shipments API's delivery choice works the fees out again on a draft, and once the
    case is filed it no longer switches a delivery that carries postage."""
    from tests.cases.conftest import filed_case, make_item
    from tests.express.express_support import RECEIVER

    clerk = await staff(roles=["clerk"], department="POST")
    item = await make_item(clerk.department_id, postage_fen=1200, fee_timing="submission",
                           delivery_options=["window", "express"])
    person = await citizen()
    draft = await filed_case(api, person.headers, item, submit=False)
    url = f"/api/v1/shipments/cases/{draft['id']}/delivery"
    r = await api.put(url, json={"method": "express", "receiver": RECEIVER},
                      headers=person.headers)
    assert r.status_code == 200, r.text
    case = (await api.get(f"/api/v1/cases/{draft['id']}", headers=person.headers)).json()
    assert case["fees"]["total_fen"] == 1200 and case["delivery"] == "express"
    r = await api.post(f"/api/v1/cases/{draft['id']}/submit", headers=person.headers)
    assert r.json()["status"] == "fee_due"
    r = await api.put(url, json={"method": "window"}, headers=person.headers)
    assert r.status_code == 409 and r.json()["error"]["code"] == "DELIVERY_FEE_LOCKED"
    assert (await Case.get(id=draft["id"])).fee_total_fen == 1200
