"""The citizen's journey in a phone browser: search by pinyin → guide → SMS login (the code
read from the SMS simulator) → real-name with the consent shown → apply with uploads → a 补正
answered item by item → staff accept and approve through the API → pay on the WeChat Pay
simulator's payment sheet → 已办结, then 已出件. A screenshot of every page under var/."""

from __future__ import annotations

import re
import uuid
from typing import Any

from push.dispatcher import Dispatcher
from push.worker import notifier_lookup
from tests.cases.conftest import PNG, make_item
from tests.conftest import latest_sms_code
from tests.support.identity_flows import known_person
from tests.support.pii_registry import new_phone

FORM = {"fields": [
    {"name": "reason", "label": "申请原因", "type": "select", "options": ["新办", "变更", "补办"],
     "required": True},
    {"name": "start_date", "label": "拟开始日期", "type": "date", "required": True},
    {"name": "contact_phone", "label": "联系电话", "type": "phone", "required": True},
    {"name": "remark", "label": "备注", "type": "textarea", "required": False,
     "help": "可说明特殊情况"},
]}
MATERIALS = [
    {"code": "M01", "name": "申请人身份证件", "required": True, "format": "电子件"},
    {"code": "M02", "name": "渔船照片", "required": True, "format": "JPG/PNG",
     "accept": ["jpg", "png"]},
]
FEES = [{"name": "证书工本费", "amount_fen": 1500, "nontax_code": "103049900101",
         "collecting_unit_code": "330100NY001"}]


async def test_citizen_journey_in_a_phone_browser(
    phone: Any, api: Any, server: Any, sims: Any, staff: Any, tmp_path: Any
) -> None:
    dept = f"H{uuid.uuid4().hex[:6]}"
    clerk = await staff(roles=["clerk"], department=dept)
    reviewer = await staff(roles=["reviewer"], department=dept)
    item = await make_item(
        clerk.department_id, name="渔业船舶登记证核发", form_schema=FORM, materials=MATERIALS,
        fees=FEES, fee_timing="approval", required_realname_level=2, themes=["农业农村"],
        delivery_options=["window", "express"], online_depth="不见面",
        steps=[{"name": "网上申请", "description": "填写申请表并上传材料"},
               {"name": "受理审核", "description": "窗口审核材料"},
               {"name": "领取证书", "description": "快递送达或窗口领取"}],
    )
    await server.app.ctx.catalogue.bump()
    p = await phone()

    # 首页 → search by pinyin → the guide
    await p.open("/")
    await p.shot("01-home")
    await p.page.get_by_label("搜索事项").first.click()
    await p.rendered("search")
    await p.page.get_by_role("searchbox").fill("yuyechuanbo")
    await p.page.get_by_text(item["name"]).first.wait_for()
    await p.shot("02-search-pinyin")
    await p.page.get_by_text(item["name"]).first.click()
    await p.rendered("guide")
    await p.page.get_by_text("申请材料").wait_for()
    await p.shot("03-guide")

    # 在线办理 asks for a login: phone + the code the SMS simulator received
    await p.page.get_by_text("在线办理").click()
    await p.rendered("login")
    number = new_phone()
    await p.page.get_by_placeholder("请输入 11 位手机号").fill(number)
    await p.page.get_by_role("button", name="获取验证码").click()
    code = await latest_sms_code(sims, number)
    await p.page.get_by_placeholder("6 位短信验证码").fill(code)
    await p.shot("04-login")
    await p.page.get_by_role("button", name="登录", exact=True).click()

    # the item needs real-name L2: the page says so and leads there, consent shown first
    await p.page.get_by_role("button", name="去认证").click()
    await p.rendered("realname")
    name, id_number = await known_person(sims["idcheck"].base_url)
    submit = p.page.get_by_role("button", name="提交认证")
    assert await submit.is_disabled()  # nothing is checked before the consent
    await p.page.get_by_text("我已阅读并同意").click()
    await p.page.get_by_placeholder("与身份证一致").fill(name)
    await p.page.get_by_placeholder("18 位身份证号码").fill(id_number)
    await p.shot("05-realname")
    await submit.click()
    await p.page.get_by_text("当前认证等级：实名认证").wait_for()
    await p.page.get_by_role("button", name="继续").click()

    # the application: the form from the item's definition, validation messages, uploads
    await p.rendered("apply")
    await p.page.get_by_role("button", name="提交申请").click()
    await p.page.get_by_text("请填写联系电话").first.wait_for()  # told what to fix, field by field
    await p.page.get_by_text("新办").click()
    await p.page.locator('input[name="start_date"]').fill("2026-12-01")
    await p.page.locator('input[name="contact_phone"]').fill("1391234")
    await p.page.get_by_role("button", name="提交申请").click()
    await p.page.locator(".van-field__error-message").first.wait_for()
    await p.shot("06-apply-errors")
    await p.page.locator('input[name="contact_phone"]').fill(new_phone())
    scan = tmp_path / "id-card.pdf"
    scan.write_bytes(b"%PDF-1.7\n" + b"0" * 2048)
    photo = tmp_path / "boat.png"
    photo.write_bytes(PNG + b"\x00" * 4096)
    await p.page.locator('[data-material="M01"] input[type="file"]').set_input_files(str(scan))
    await p.page.get_by_text("id-card.pdf").wait_for()
    await p.page.locator('[data-material="M02"] input[type="file"]').set_input_files(str(photo))
    await p.page.get_by_text("boat.png").wait_for()
    await p.shot("07-apply-filled")
    await p.page.get_by_role("button", name="提交申请").click()
    await p.page.get_by_text("提交成功").wait_for()
    await p.shot("08-submitted")
    await p.page.get_by_role("button", name="确认").click()
    await p.rendered("case")
    case_id = int(re.search(r"/cases/(\d+)", p.page.url).group(1))  # type: ignore[union-attr]
    await p.page.get_by_text("已收件").first.wait_for()

    # a 补正 notice, answered item by item
    r = await api.post(f"/api/v1/staff/cases/{case_id}/supplement", headers=clerk.headers, json={
        "items": [{"material_code": "M02", "problem": "照片看不清船名", "requirement":
                   "请上传能看清船名和船号的照片", "legal_clause": "《渔业船舶登记办法》第十条"}],
        "note": "请一次性补正以下材料"})
    assert r.status_code == 201, r.text
    await p.page.reload()
    await p.page.get_by_role("button", name="去补正").click()
    await p.rendered("supplement")
    await p.page.get_by_text("照片看不清船名").wait_for()
    clear = tmp_path / "boat-clear.png"
    clear.write_bytes(PNG + b"\x01" * 4096)
    await p.page.locator('[data-material="M02"] input[type="file"]').set_input_files(str(clear))
    await p.page.get_by_text("boat-clear.png").wait_for()
    await p.page.get_by_placeholder("简要说明您的补正（选填）").fill("已重新拍摄")
    await p.page.get_by_role("button", name="提交这一项").click()
    await p.page.get_by_text("已答复").wait_for()
    await p.shot("09-supplement")
    await p.page.get_by_role("button", name="全部补正完成，重新提交").click()
    await p.rendered("case")

    # staff accept and approve through the API; the fee falls due
    r = await api.post(f"/api/v1/staff/cases/{case_id}/accept", headers=clerk.headers)
    assert r.status_code == 200, r.text
    r = await api.post(f"/api/v1/staff/cases/{case_id}/approve", headers=reviewer.headers, json={})
    assert r.status_code == 200 and r.json()["status"] == "fee_due", r.text
    await p.page.reload()
    await p.rendered("case")
    await p.shot("10-case-fee-due")

    # pay: outside WeChat the WeChat Pay H5 cashier, which the simulator plays
    await p.page.get_by_role("button", name="去缴费").click()
    await p.rendered("pay")
    await p.page.get_by_text("¥15.00").wait_for()
    await p.shot("11-pay")
    await p.page.get_by_role("button", name="确认支付").click()
    await p.page.wait_for_url(re.compile(r"/_sim/cashier"))
    await p.shot("12-wechatpay-sheet")
    await p.page.get_by_role("button", name="确认支付").click()
    await p.page.get_by_text("缴费成功").first.wait_for(timeout=15_000)
    await p.shot("13-paid")

    await p.page.get_by_role("button", name="查看办件").click()
    await p.rendered("case")
    await p.page.get_by_text("已办结").first.wait_for()
    r = await api.post(f"/api/v1/staff/cases/{case_id}/issue-result", headers=clerk.headers,
                       json={"note": "证书已制作，请到窗口领取"})
    assert r.status_code == 200, r.text
    r = await api.post(f"/api/v1/staff/cases/{case_id}/complete", headers=clerk.headers, json={})
    assert r.status_code == 200, r.text
    await p.page.reload()
    await p.rendered("case")
    await p.page.get_by_text("证书已制作").first.wait_for()
    await p.shot("14-case-done")

    # the push pipeline writes the inbox (background tasks are off in tests): 消息 shows it
    dispatcher = Dispatcher(notifier_lookup(server.app.ctx.edges), server.app.ctx.kv,
                            quiet_hours="")
    while await dispatcher.expand_once():
        pass
    await p.open("/messages")
    await p.page.get_by_text("办结通知").first.wait_for()
    await p.page.get_by_text("实时接收中").wait_for()

    # the rest of the citizen's pages, as this person sees them
    for path, name in [("/cases", "cases"), ("/messages", "messages"), ("/me", "me"),
                       ("/me/notifications", "preferences"), ("/me/channels", "channels"),
                       ("/me/sessions", "sessions"), ("/me/deletion", "deletion"),
                       ("/shipments", "shipments"), ("/wechat/subscribe", "subscribe"),
                       ("/themes", "themes"), ("/guide", "guide-list"),
                       ("/certificates", "wallet"), ("/tickets", "tickets"),
                           ("/me/ratings", "my-ratings"), ("/me/orders", "my-orders")]:
        await p.open(path)
        assert await p.rendered() == name
        await p.shot(f"20-{name}")
    assert not p.outside_hosts(), p.outside_hosts()
