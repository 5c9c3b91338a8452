"""The WeChat entry: the official account's bind link opens web OAuth (snsapi_userinfo) on
the WeChat simulator with our signed, cookie-bound state, comes back to the H5 and logs the
person in; inside WeChat (its user agent and WeixinJSBridge) a fee is paid through JSAPI."""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.cases.conftest import filed_case, make_item

# What the WeChat client does on getBrandWCPayRequest: shows its sheet and the person pays.
# The stand-in pays on the WeChat Pay simulator (its /_sim/pay, the payer's side) and answers
# as WeChat does; our page then asks our server, which asks WeChat Pay.
BRIDGE = """
window.WeixinJSBridge = { invoke(name, params, cb) {
  if (name !== 'getBrandWCPayRequest') return cb({ err_msg: name + ':fail' })
  window.__paid = params
  const prepay = params.package.replace('prepay_id=', '')
  const form = new URLSearchParams({ prepay_id: prepay, action: 'pay' })
  fetch('%s/_sim/cashier', { method: 'POST', body: form, mode: 'no-cors' })
    .then(() => cb({ err_msg: 'get_brand_wcpay_request:ok' }),
          () => cb({ err_msg: 'get_brand_wcpay_request:fail' }))
} }
"""


async def test_bind_link_logs_in_through_wechat_oauth(phone: Any, sims: Any, api: Any) -> None:
    p = await phone(wechat=True)
    await p.open("/wechat/bind")
    await p.shot("40-wechat-bind")
    await p.page.get_by_role("button", name="微信授权").click()
    # the simulator's authorize page answers at once and sends the browser back with a code
    await p.page.wait_for_url("**/h5/wechat/bind", timeout=15_000)
    await p.page.get_by_role("button", name="去实名认证").wait_for()
    await p.shot("41-wechat-bound")
    session = await p.page.evaluate("JSON.parse(localStorage.getItem('zsb.session'))")
    assert session["channel"] == "wechat"
    me = await api.get("/api/v1/me/channels",
                       headers={"Authorization": f"Bearer {session['access']}"})
    assert [c["channel"] for c in me.json()] == ["wechat"]


async def test_jsapi_payment_inside_wechat(
    phone: Any, api: Any, server: Any, sims: Any, settings: Any, staff: Any
) -> None:
    from tests.support.identity_flows import wechat_login

    openid = "o" + uuid.uuid4().hex[:27]
    tokens = (await wechat_login(api, sims["wechat"].base_url, settings.public_base_url,
                                 openid)).json()
    dept = f"W{uuid.uuid4().hex[:6]}"
    clerk = await staff(roles=["clerk"], department=dept)
    reviewer = await staff(roles=["reviewer"], department=dept)
    item = await make_item(clerk.department_id, required_realname_level=0, fee_timing="approval",
                           fees=[{"name": "工本费", "amount_fen": 800, "nontax_code": "1",
                                  "collecting_unit_code": "1"}])
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    case = await filed_case(api, headers, item)
    for path, who in (("accept", clerk), ("approve", reviewer)):
        r = await api.post(f"/api/v1/staff/cases/{case['id']}/{path}", headers=who.headers, json={})
        assert r.status_code == 200, r.text

    p = await phone(wechat=True, tokens=tokens)
    await p.context.add_init_script(BRIDGE % sims["wechatpay"].base_url)
    await p.open(f"/cases/{case['id']}/pay")
    await p.page.get_by_text("在微信中支付").wait_for()
    await p.page.get_by_role("button", name="确认支付").click()
    await p.page.get_by_text("缴费成功").first.wait_for(timeout=15_000)
    await p.shot("42-wechat-jsapi-paid")
    params = await p.page.evaluate("window.__paid")
    assert params["signType"] == "RSA" and params["package"].startswith("prepay_id=")
    async with httpx.AsyncClient() as client:
        order = (await client.get(f"{sims['wechatpay'].base_url}/_sim/state")).json()
    assert any(o["trade_type"] == "JSAPI" and o["openid"] == openid and o["state"] == "SUCCESS"
               for o in order["orders"].values())
