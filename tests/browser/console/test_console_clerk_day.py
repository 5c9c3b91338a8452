"""A clerk's day in the console, start to finish in the browser: log in, claim a case from
the queue, open a material and reveal a masked field (each with a reason), send a 一次性告知,
the citizen answers through the API, accept, pass the sign-off chain (承办 → 审核 → 批准, the
reviewer and approver in their own browsers), issue the result and complete. Screenshots of
every page under var/screenshots/console-clerk-*."""

from __future__ import annotations

import uuid
from typing import Any

from models.identity import PiiAccessLog
from tests.cases.conftest import filed_case, make_item
from tests.cases.test_staff_flow import answer_all

CHAIN = [{"name": "承办", "role": "clerk", "handler": True},
         {"name": "审核", "role": "reviewer"},
         {"name": "批准", "role": "approver"}]


async def _status(d: Any, label: str) -> None:
    await d.page.locator('[data-test="case-status"]', has_text=label).wait_for(timeout=15_000)
    await d.rendered("case")


async def _sign(d: Any, opinion: str, basis: str | None = None) -> None:
    await d.click_action("sign")
    dialog = d.page.locator(".el-dialog", has_text="签批")
    await dialog.locator('textarea[name="opinion"]').fill(opinion)
    if basis is not None:
        await dialog.locator('input[name="legal_basis"]').fill(basis)
    await dialog.get_by_role("button", name="提交").click()
    await d.page.get_by_text("已完成").first.wait_for()
    await d.rendered("case")


async def test_a_clerks_day(
    desk: Any, api: Any, server: Any, staff: Any, citizen: Any
) -> None:
    dept = f"C{uuid.uuid4().hex[:6]}"
    clerk = await staff(roles=["clerk"], department=dept)
    reviewer = await staff(roles=["reviewer"], department=dept)
    approver = await staff(roles=["approver"], department=dept)
    admin = await staff(roles=["admin"], department=dept)
    item = await make_item(clerk.department_id, name="户外广告设施设置许可",
                           legal_basis="《城市市容和环境卫生管理条例》第十一条")
    await server.app.ctx.catalogue.bump()
    r = await api.put(f"/api/v1/staff/items/{item['code']}/signoff-chain",
                      headers=admin.headers, json={"steps": CHAIN})
    assert r.status_code == 200, r.text
    me = await citizen()
    case = await filed_case(api, me.headers, item)
    cid, number = case["id"], case["number"]

    d = await desk()
    await d.login(clerk.username)
    await d.shot("clerk-01-queue")
    await d.page.get_by_role("tab", name="待领办").click()
    await d.page.get_by_role("link", name=number).click()
    await d.rendered("case")
    await d.shot("clerk-02-case")

    await d.click_action("claim")
    await d.page.locator('[data-test="actions"]', has_text=f"承办人：{clerk.username}").wait_for()

    pdf = next(m for m in case["materials"] if m["code"] == "M01")
    await d.page.locator(f'[data-open="{pdf["id"]}"]').click()
    await d.answer_prompt()  # the suggested reason: 预审核对材料
    await d.page.locator('[data-test="material-preview"] iframe').wait_for()
    await d.shot("clerk-03-material")
    await d.page.locator(".el-dialog", has_text="申请人居民身份证").locator(
        ".el-dialog__headerbtn").click()

    await d.page.locator('[data-reveal="phone"]').click()
    await d.answer_prompt("电话核实申请人身份")
    await d.page.locator('[data-field="phone"]', has_text="13912345678").wait_for()

    await d.click_action("supplement")
    builder = d.page.locator(".el-dialog", has_text="一次性告知")
    await builder.locator('[data-test="defect-0"] .el-select').click()
    await d.page.locator(".el-select-dropdown__item", has_text="近期免冠照片").click()
    await builder.get_by_label("第1项问题").fill("照片背景不是白色")
    await builder.get_by_label("第1项需要提供").fill("白色背景免冠彩色照片")
    await builder.get_by_label("第1项依据").fill("《行政许可法》第三十二条")
    await d.shot("clerk-04-supplement-builder")
    await builder.get_by_role("button", name="发出补正告知").click()
    await _status(d, "待补正")
    await d.shot("clerk-05-supplement-sent")

    await answer_all(api, me, cid)  # the citizen answers item by item, through the API
    await d.page.reload()
    await _status(d, "已补正")
    await d.click_action("accept")
    await _status(d, "已受理")
    await _sign(d, "材料齐全，符合设置条件，拟准予许可", "《城市市容和环境卫生管理条例》第十一条")
    await d.shot("clerk-06-proposed")

    for who, opinion in ((reviewer, "审核同意"), (approver, "同意")):
        other = await desk()
        await other.login(who.username)
        await other.open(f"/cases/{cid}", "case")
        await _sign(other, opinion)
        await other.shot(f"clerk-07-signed-by-{who.username[-4:]}")
    await d.page.reload()
    await _status(d, "准予许可")
    await d.shot("clerk-08-approved")

    await d.click_action("issue_result")
    await d.answer_prompt()
    await _status(d, "已出证")
    await d.click_action("complete")
    await _status(d, "已办结")
    await d.page.locator('[data-test="integrity"]', has_text="留痕完整").wait_for()
    await d.shot("clerk-09-completed")
    documents = d.page.locator('[data-test="documents"]')
    for title in ("补正告知书", "受理通知书", "准予行政许可决定书"):
        await documents.get_by_text(title, exact=True).wait_for()
    await d.page.locator('[data-document="approval"]').click()
    await d.page.locator('[data-test="material-preview"] iframe').wait_for()
    await d.shot("clerk-10-decision-document")
    await d.page.locator(".el-dialog", has_text="准予行政许可决定书").locator(
        ".el-dialog__headerbtn").click()
    await d.page.get_by_role("link", name="电子证明").click()
    await d.rendered("certificates")
    await d.shot("clerk-11-certificates")

    reads = await PiiAccessLog.filter(case_id=cid).values_list("field", "reason")
    assert (f"material:{pdf['id']}", "预审核对材料") in reads
    assert ("form.phone", "电话核实申请人身份") in reads
    r = await api.get(f"/api/v1/staff/cases/{cid}", headers=clerk.headers)
    signs = [e for e in r.json()["timeline"] if e["data"].get("kind") == "signoff"]
    assert [e["actor"]["id"] for e in signs] == [str(clerk.id), str(reviewer.id),
                                                 str(approver.id)]
    assert r.json()["status"] == "completed"
