"""一件事: a bundle of two departments' items filed as one application — selection conditions and
conflicts refused whole, one form with a shared field mapped, a shared material given once, one
submission, one payment with a fee line per 执收单位, parallel review with one combined 补正
notice, the lead department's view, and the status derived to completion."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from app.reforms.bundle_schemas import BundleCreate
from app.reforms.bundles import save
from models.bundles import BundleApplication
from models.cases import Case, Material
from models.core import Department
from models.payments import PaymentOrder, PaymentOrderItem
from tests.cases.conftest import GOOD_FORM, PDF, PNG
from tests.cases.conftest import make_item as _make_item
from tests.payments.helpers import sim, wait_for

OTHER_FORM = {"fields": [
    {"name": "applicant", "label": "申请人姓名", "type": "name", "required": True},
    {"name": "mobile", "label": "手机号码", "type": "phone", "required": True},
]}


def _fee(unit: str, fen: int) -> list[dict[str, Any]]:
    return [{"name": "工本费", "amount_fen": fen, "nontax_code": "103040100101",
             "collecting_unit_code": unit}]


@pytest.fixture(scope="module")
async def setting(staff: Any) -> dict[str, Any]:
    tag = uuid.uuid4().hex[:6]
    lead = await staff(roles=["clerk", "reviewer"], department=f"BA{tag}")
    other = await staff(roles=["clerk", "reviewer"], department=f"BB{tag}")
    a1 = await _make_item(lead.department_id, fees=_fee("UNIT-A", 1000),
                          fee_timing="submission")
    b1 = await _make_item(other.department_id, fees=_fee("UNIT-B", 500),
                          fee_timing="submission", form_schema=OTHER_FORM)
    b2 = await _make_item(other.department_id)
    a3 = await _make_item(lead.department_id)
    code = f"YJS-{tag}"
    lead_code = await Department.filter(id=lead.department_id).first().values_list(
        "code", flat=True)
    await save(BundleCreate.model_validate({
        "code": code, "lead_department": lead_code, "name": f"测试一件事{tag}",
        "keywords": ["测试套餐"],
        "selectors": [{"name": "extra", "label": "是否加办", "options": ["是", "否"]}],
        "members": [
            {"item_code": a1["code"]}, {"item_code": b1["code"]},
            {"item_code": b2["code"], "required": False,
             "when": {"field": "extra", "in": ["是"]}},
            {"item_code": a3["code"], "required": False, "excludes": [b2["code"]]}],
        "field_map": {b1["code"]: {"mobile": "phone"}},
        "shared_materials": [{"key": "id_card", "name": "申请人居民身份证",
                              "members": {a1["code"]: "M01", b1["code"]: "M01"}}],
    }))
    return {"lead": lead, "other": other, "a1": a1, "b1": b1, "b2": b2, "a3": a3, "code": code}


async def test_guide_merges_members_and_search_finds_the_bundle(api: Any, setting: Any) -> None:
    found = (await api.get("/api/v1/bundles", params={"q": "测试套餐"})).json()["items"]
    assert setting["code"] in [b["code"] for b in found]
    guide = (await api.get(f"/api/v1/bundles/{setting['code']}")).json()
    assert [m["item_code"] for m in guide["members"]][:2] == [setting["a1"]["code"],
                                                             setting["b1"]["code"]]
    phone = next(f for f in guide["form"] if f["name"] == "phone")
    assert setting["b1"]["code"] in phone["members"]  # asked once, for both
    assert "mobile" not in {f["name"] for f in guide["form"]}
    shared = next(m for m in guide["materials"] if m["key"] == "id_card")
    assert len(shared["members"]) == 2
    assert guide["total_fee_fen"] == 1500


async def test_bad_selection_is_refused_and_nothing_is_written(
    api: Any, citizen: Any, setting: Any
) -> None:
    me = await citizen()
    before = await Case.filter(person_id=me.person_id).count()
    for answers, selected, code in (
        ({"extra": "是"}, [setting["b2"]["code"], setting["a3"]["code"]],
         "BUNDLE_MEMBERS_CONFLICT"),
        ({"extra": "否"}, [setting["b2"]["code"]], "BUNDLE_MEMBER_NOT_APPLICABLE"),
        ({"extra": "也许"}, [], "BUNDLE_ANSWER_INVALID"),
    ):
        r = await api.post("/api/v1/bundle-applications", headers=me.headers, json={
            "bundle_code": setting["code"], "answers": answers, "selected": selected,
            "form": GOOD_FORM})
        assert r.status_code == 422 and r.json()["error"]["code"] == code, r.text
    r = await api.post("/api/v1/bundle-applications", headers=me.headers, json={
        "bundle_code": setting["code"], "form": {**GOOD_FORM, "phone": "12"}})
    assert r.status_code == 422 and "form.phone" in r.json()["error"]["fields"]
    assert await Case.filter(person_id=me.person_id).count() == before
    assert not await BundleApplication.filter(person_id=me.person_id).exists()


async def test_one_application_reviewed_in_parallel_to_completion_with_one_payment(
    api: Any, citizen: Any, setting: Any, sims: Any
) -> None:
    me = await citizen()
    lead, other = setting["lead"], setting["other"]
    a1, b1 = setting["a1"]["code"], setting["b1"]["code"]
    r = await api.post("/api/v1/bundle-applications", headers=me.headers, json={
        "bundle_code": setting["code"], "answers": {"extra": "否"}, "form": GOOD_FORM})
    assert r.status_code == 201, r.text
    app = r.json()
    aid = app["id"]
    assert app["status"] == "draft" and [m["item_code"] for m in app["members"]] == [a1, b1]
    case_a, case_b = (m["case_id"] for m in app["members"])
    b_case = (await api.get(f"/api/v1/cases/{case_b}", headers=me.headers)).json()
    assert b_case["form"]["applicant"] and b_case["form"]["mobile"]  # phone, mapped to mobile

    r = await api.post(f"/api/v1/bundle-applications/{aid}/submit", headers=me.headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "BUNDLE_INCOMPLETE"
    assert {k.split(".")[0] for k in r.json()["error"]["fields"]} == {a1, b1}
    assert {c.status for c in await Case.filter(id__in=[case_a, case_b])} == {"draft"}

    async def give(key: str, content: bytes) -> None:
        r = await api.post(f"/api/v1/bundle-applications/{aid}/materials", headers=me.headers,
                           data={"key": key}, files={"file": ("f.bin", content, "x/y")})
        assert r.status_code == 201, r.text

    await give("id_card", PDF)  # once, for both members
    assert await Material.filter(case_id__in=[case_a, case_b], code="M01").count() == 2
    await give(f"{a1}:M02", PNG)
    await give(f"{b1}:M02", PNG)
    r = await api.post(f"/api/v1/bundle-applications/{aid}/submit", headers=me.headers)
    assert r.status_code == 200, r.text
    app = r.json()
    assert app["status"] == "fee_due" and app["fee_total_fen"] == 1500
    assert app["payer_case_id"] == case_a

    r = await api.post("/api/v1/payments/orders", headers=me.headers, json={
        "case_id": case_b, "channel": "wechatpay", "scene": "app"})
    assert r.status_code == 409 and r.json()["error"]["code"] == "BUNDLE_PAY_TOGETHER"
    r = await api.post(f"/api/v1/bundle-applications/{aid}/pay", headers=me.headers,
                       json={"channel": "wechatpay", "scene": "app"})
    assert r.status_code == 201, r.text
    no = r.json()["order"]["out_trade_no"]
    order = await PaymentOrder.get(out_trade_no=no)
    lines = await PaymentOrderItem.filter(order_id=order.id)
    assert order.amount_fen == 1500
    assert sorted((x.collecting_unit_code, x.amount_fen) for x in lines) == [
        ("UNIT-A", 1000), ("UNIT-B", 500)]
    await sim(sims["wechatpay"].base_url, "pay", out_trade_no=no)

    async def both_submitted() -> bool:
        return {c.status for c in await Case.filter(id__in=[case_a, case_b])} == {"submitted"}

    await wait_for(both_submitted)

    # 联审联办: each department on its own case, both asking for 补正 at once
    for staff_user, cid in ((lead, case_a), (other, case_b)):
        r = await api.post(f"/api/v1/staff/cases/{cid}/supplement", headers=staff_user.headers,
                           json={"items": [{"material_code": "M02", "problem": "照片模糊",
                                            "requirement": "提交清晰照片"}]})
        assert r.status_code == 201, r.text
    app = (await api.get(f"/api/v1/bundle-applications/{aid}", headers=me.headers)).json()
    assert app["status"] == "supplement_requested"
    notice = app["supplement"]
    assert {d["case_id"] for d in notice["departments"]} == {case_a, case_b}
    for part in notice["departments"]:
        [defect] = part["items"]
        r = await api.post(
            f"/api/v1/cases/{part['case_id']}/supplements/{part['notice_id']}/items/"
            f"{defect['item_id']}", headers=me.headers, json={"text": "已重新拍摄"})
        assert r.status_code == 200, r.text
        assert (await api.post(f"/api/v1/cases/{part['case_id']}/resubmit",
                               headers=me.headers)).status_code == 200

    r = await api.get(f"/api/v1/staff/bundle-applications/{aid}", headers=other.headers)
    assert r.status_code == 404  # B reviews its own case, A leads
    view = (await api.get(f"/api/v1/staff/bundle-applications/{aid}",
                          headers=lead.headers)).json()
    assert [m["department_id"] for m in view["members"]] == [lead.department_id,
                                                            other.department_id]
    for staff_user, cid in ((lead, case_a), (other, case_b)):
        for step in ("accept", "approve", "issue-result", "complete"):
            r = await api.post(f"/api/v1/staff/cases/{cid}/{step}",
                               headers=staff_user.headers, json={})
            assert r.status_code == 200, (step, r.text)
        if cid == case_a:
            mid = (await api.get(f"/api/v1/bundle-applications/{aid}",
                                 headers=me.headers)).json()
            assert mid["status"] == "in_progress" and mid["progress"]["completed"] == 1
    done = (await api.get(f"/api/v1/bundle-applications/{aid}", headers=me.headers)).json()
    assert done["status"] == "completed" and done["progress"] == {
        "total": 2, "finished": 2, "completed": 2}


async def test_demo_bundles_load_over_the_demo_catalogue(api: Any) -> None:
    from app.catalogue.seed import seed
    from app.reforms.bundles import seed as seed_bundles

    await seed()
    await seed_bundles()
    assert await seed_bundles() == 0  # unchanged: no new version
    found = (await api.get("/api/v1/bundles", params={"q": "出生"})).json()["items"]
    assert "YJS-XSECS" in [b["code"] for b in found]
    guide = (await api.get("/api/v1/bundles/YJS-QYKB")).json()
    assert len(guide["members"]) == 5 and guide["lead_department"]
    newborn = (await api.get("/api/v1/bundles/YJS-XSECS")).json()
    assert newborn["total_fee_fen"] == 2000  # the optional ID card's 工本费
