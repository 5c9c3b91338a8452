"""The pages of issues 12 and 13 in a phone browser: 免提交 with a licence from the wallet, the
case's certificate in 我的证照 with 亮证, its PDF and /verify saying genuine; a 差评 answered
by the department's 整改 (through the staff API) and re-rated at the 回访; a complaint filed,
answered, rated and confirmed. Vant speaks Chinese (its own buttons read 确认/取消).
Screenshots of every new page under var/screenshots/ (40-…)."""

from __future__ import annotations

import re
import uuid
from typing import Any

import httpx
import pytest

from tests.browser.conftest import PHONE
from tests.certificates.conftest import certificate_item, verified
from tests.feedback.support import completed_case, department, drain


def _tokens(access: str, refresh: str, person_id: int) -> dict[str, Any]:
    return {"access_token": access, "refresh_token": refresh, "person_id": person_id}


async def _give_licence(sims: Any, id_number: str, name: str, type_name: str) -> None:
    async with httpx.AsyncClient() as sim:
        r = await sim.post(f"{sims['licence'].base_url}/_sim/licences", json={
            "holder_id": id_number, "holder_name": name, "type_name": type_name,
            "number": id_number})
        r.raise_for_status()


async def _fit_360(p: Any, paths: list[str]) -> None:
    """Each page drawn on a 360-px-wide screen without a sideways scroll."""
    await p.page.set_viewport_size({"width": 360, "height": 740})
    for path in paths:
        await p.open(path)
        width = await p.page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, (path, width)
    await p.page.set_viewport_size(PHONE)


async def _stars(p: Any, n: int) -> None:
    await p.page.locator(f'.stars [role="radio"][aria-posinset="{n}"]').click()


@pytest.mark.timeout(300)  # many pages, on a shared two-core machine
async def test_licence_in_place_of_a_material_then_the_certificate_in_the_wallet(
    phone: Any, api: Any, server: Any, sims: Any, staff: Any, citizen: Any
) -> None:
    me = await verified(api, citizen, sims)
    await _give_licence(sims, me.id_number, me.name, "居民身份证")
    dept = f"W{uuid.uuid4().hex[:6]}"
    clerk = await staff(roles=["clerk"], department=dept)
    reviewer = await staff(roles=["reviewer", "clerk"], department=dept)
    item = await certificate_item(clerk.department_id, name="无犯罪记录证明开具")
    await server.app.ctx.catalogue.bump()
    r = await api.post("/api/v1/cases", json={"item_code": item["code"],
                                              "form": {"purpose": "就业"}}, headers=me.headers)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    c = me.citizen
    p = await phone(tokens=_tokens(c.access, c.refresh, c.person_id))

    # 免提交: the draft offers the licence the library holds for the material
    await p.open(f"/cases/{cid}/edit")
    await p.page.get_by_label("使用电子证照居民身份证代替上传").click()
    await p.page.get_by_text("已使用电子证照：居民身份证").wait_for()
    await p.page.locator(".van-toast").wait_for(state="hidden")
    await p.shot("40-apply-elicence")
    await p.page.get_by_role("button", name="提交申请").click()
    dialog = p.page.locator(".van-dialog")
    await dialog.get_by_text("提交成功").wait_for()
    assert await dialog.get_by_role("button").inner_text() == "确认"  # Vant's zh-CN words
    await dialog.get_by_role("button").click()
    await p.rendered("case")
    detail = (await api.get(f"/api/v1/cases/{cid}", headers=me.headers)).json()
    [used] = [m for m in detail["materials"] if not m["superseded"]]
    assert used["source"] == "licence_library"

    for who, action in ((clerk, "accept"), (reviewer, "approve"), (reviewer, "issue-result")):
        r = await api.post(f"/api/v1/staff/cases/{cid}/{action}", json={}, headers=who.headers)
        assert r.status_code == 200, (action, r.text)

    # 我的 → 我的证照: the certificate beside the library's licence
    await p.open("/me")
    await p.page.get_by_text("我的证照").click()
    await p.rendered("wallet")
    await p.page.get_by_text("电子证明（本平台签发）").wait_for()
    await p.page.get_by_text("电子证照（证照库）").wait_for()
    await p.shot("41-wallet")
    await p.page.get_by_text("无犯罪记录证明", exact=True).click()
    await p.rendered("certificate")
    await p.page.get_by_text("证明用途").wait_for()
    await p.shot("42-certificate")

    async with p.page.expect_download() as download:
        await p.page.get_by_role("button", name="下载 PDF").click()
    assert (await download.value).suggested_filename.endswith(".pdf")

    await p.page.get_by_role("button", name="亮证").click()
    qr = p.page.get_by_alt_text("无犯罪记录证明亮证二维码")
    await qr.wait_for()
    assert (await qr.get_attribute("src") or "").startswith("data:image/png;base64,")
    await p.page.get_by_text("剩余").wait_for()
    await p.shot("43-show-licence")
    await p.page.locator(".van-popup__close-icon").click()

    # the verification link opens the public page, which says genuine
    await p.page.get_by_role("button", name="打开查验页面").click()
    await p.page.wait_for_url(re.compile(r"/verify/"))
    await p.page.get_by_text("真实有效").first.wait_for()
    await p.shot("44-verify-genuine")
    cert_id = (await api.get("/api/v1/certificates", headers=me.headers)).json()["items"][0]["id"]
    await _fit_360(p, ["/certificates", f"/certificates/{cert_id}", "/me"])


@pytest.mark.timeout(300)  # many pages, on a shared two-core machine
async def test_a_bad_rating_rectified_and_rated_again(
    phone: Any, api: Any, server: Any, staff: Any, citizen: Any
) -> None:
    dept, me = await department(staff), await citizen()
    case = await completed_case(api, me.headers, dept)
    p = await phone(tokens=_tokens(me.access, me.refresh, me.person_id))

    await p.open(f"/cases/{case['id']}")
    await p.page.get_by_role("link", name="评价本次服务").or_(
        p.page.get_by_role("button", name="评价本次服务")).click()
    await p.rendered("rate")
    await _stars(p, 2)
    await p.page.get_by_text("不满意", exact=True).wait_for()
    await p.page.get_by_role("button", name="办理时间长").click()
    await p.page.get_by_label("评价内容").fill("材料交了三次才受理，等了很久")
    await p.shot("45-rate-form")
    await p.page.get_by_role("button", name="提交评价").click()
    await p.page.get_by_text("待整改").wait_for()
    assert await p.page.get_by_role("button", name="修改评价").count() == 1  # once, in the window
    await p.shot("46-rated-badly")

    await drain(server)
    fixes = (await api.get("/api/v1/staff/rectifications", headers=dept.clerk.headers)).json()
    [fix] = [f for f in fixes["items"] if f["state"] == "open"]
    reply = "感谢您的反馈，我们已增设导办员，材料一次告知到位。"
    r = await api.post(f"/api/v1/staff/rectifications/{fix['id']}/reply",
                       json={"measures": "增设导办员，一次性告知清单上墙", "reply": reply},
                       headers=dept.clerk.headers)
    assert r.status_code == 200, r.text

    # the 回访: the message's link opens the page with the reply, and the citizen rates again
    await p.open(f"/cases/{case['id']}/rate")
    await p.page.get_by_text(reply).wait_for()
    await p.shot("47-rectification-reply")
    await p.page.get_by_role("button", name="再次评价").click()
    await _stars(p, 5)
    await p.page.get_by_role("button", name="一次办成").click()
    await p.page.get_by_role("button", name="提交评价").click()
    await p.page.get_by_text("您对整改结果满意").wait_for()
    await p.page.get_by_text("非常满意").first.wait_for()
    assert await p.page.get_by_role("button", name="再次评价").count() == 0
    await p.shot("48-rerated")

    await p.open("/me/ratings")
    await p.page.get_by_text(case["item_name"]).first.wait_for()
    await p.shot("49-my-ratings")


@pytest.mark.timeout(300)  # many pages, on a shared two-core machine
async def test_a_complaint_filed_answered_and_rated(
    phone: Any, api: Any, server: Any, staff: Any, citizen: Any
) -> None:
    dept, me = await department(staff), await citizen()
    case = await completed_case(api, me.headers, dept)
    p = await phone(tokens=_tokens(me.access, me.refresh, me.person_id))

    # from the case page: 咨询投诉 about this case
    await p.open(f"/cases/{case['id']}")
    await p.page.get_by_text("对本办件有疑问或意见？").click()
    await p.rendered("ticket-new")
    await p.page.get_by_role("radio", name="投诉").click()
    await p.page.get_by_label("标题").fill("窗口人员态度冷淡")
    await p.page.get_by_label("详细描述").fill(
        "12月1日上午在3号窗口办理时，工作人员不耐烦，没有说明需要补哪些材料。")
    await p.shot("50-ticket-new")
    await p.page.get_by_role("button", name="提交", exact=True).click()
    await p.rendered("ticket")
    await p.page.get_by_text("正在办理，答复后会通知您").wait_for()
    ticket_id = int(p.page.url.rstrip("/").rsplit("/", 1)[1])
    await p.shot("51-ticket-handling")

    answer = "经核实，已对当班人员批评教育，并在窗口张贴一次性告知清单。"
    r = await api.post(f"/api/v1/staff/tickets/{ticket_id}/reply", json={"text": answer},
                       headers=dept.clerk.headers)
    assert r.status_code == 200, r.text

    await p.open("/tickets")
    await p.page.get_by_text("已答复").first.wait_for()
    await p.shot("52-tickets")
    await p.page.get_by_text("窗口人员态度冷淡").click()
    await p.rendered("ticket")
    await p.page.get_by_text(answer).wait_for()
    await p.shot("53-ticket-answered")
    await p.page.get_by_role("link", name="评价答复").or_(
        p.page.get_by_role("button", name="评价答复")).click()
    await p.rendered("rate")
    await _stars(p, 4)
    await p.page.get_by_role("button", name="提交评价").click()
    await p.page.get_by_text("满意", exact=True).first.wait_for()
    await p.open(f"/tickets/{ticket_id}")
    await p.page.get_by_role("button", name="问题已解决").click()
    await p.page.get_by_text("已办结").first.wait_for()
    t = (await api.get(f"/api/v1/tickets/{ticket_id}", headers=me.headers)).json()
    assert t["state"] == "closed" and t["case_id"] == case["id"] and t["type"] == "complaint"
    await _fit_360(p, ["/tickets", f"/tickets/{ticket_id}", "/tickets/new",
                       f"/tickets/{ticket_id}/rate", "/me/ratings", "/me/orders"])
