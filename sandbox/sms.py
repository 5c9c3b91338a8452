"""SMS platform simulator (dysmsapi ``SendSms``): checks the HMAC-SHA1 request signature and
records every message so tests and the demo can read the one-time code.

Control: ``GET /_sim/messages?phone=`` lists messages to a phone (newest last);
``POST /_sim/faults`` with JSON ``{"code": "isv.BUSINESS_LIMIT_CONTROL", "times": 2}`` makes
the next sends fail that way; ``{"delay": 2.0}`` slows every answer.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import uuid
from typing import Any
from urllib.parse import quote

from aiohttp import web

ACCESS_KEY = "sim-sms-access-key"
SECRET = "sim-sms-secret"
TEMPLATES = {
    "SMS_OTP_001": "您的验证码为${code}，${minutes}分钟内有效，请勿泄露。",
    "SMS_NOTICE_001": "${title}：${body}",
}


def _sign(params: dict[str, str], secret: str) -> str:
    def enc(v: str) -> str:
        return quote(v, safe="~")

    canonical = "&".join(f"{enc(k)}={enc(v)}" for k, v in sorted(params.items()))
    to_sign = f"POST&{enc('/')}&{enc(canonical)}"
    return base64.b64encode(
        hmac.new(f"{secret}&".encode(), to_sign.encode(), hashlib.sha1).digest()
    ).decode()


def _answer(code: str, message: str, **extra: Any) -> web.Response:
    body = {"Code": code, "Message": message, "RequestId": uuid.uuid4().hex.upper(), **extra}
    return web.json_response(body, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def send_sms(request: web.Request) -> web.Response:
    state = request.app["state"]
    if state["delay"]:
        await asyncio.sleep(state["delay"])
    params = dict(await request.post())
    signature = str(params.pop("Signature", ""))
    if params.get("AccessKeyId") != ACCESS_KEY:
        return _answer("InvalidAccessKeyId.NotFound", "Specified access key is not found.")
    if not hmac.compare_digest(signature, _sign({k: str(v) for k, v in params.items()}, SECRET)):
        return _answer(
            "SignatureDoesNotMatch", "Specified signature is not matched with our calculation."
        )
    if state["faults"]:
        fault = state["faults"][0]
        fault["times"] -= 1
        if fault["times"] <= 0:
            state["faults"].pop(0)
        if fault.get("http"):
            return web.Response(status=int(fault["http"]), text="busy")
        return _answer(fault["code"], fault.get("message", "simulated fault"))
    phone = str(params.get("PhoneNumbers", ""))
    if not (len(phone) == 11 and phone.startswith("1") and phone.isdigit()):
        return _answer("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号")
    template = TEMPLATES.get(str(params.get("TemplateCode")))
    if template is None:
        return _answer("isv.SMS_TEMPLATE_ILLEGAL", "模板不合法")
    values = json.loads(str(params.get("TemplateParam") or "{}"))
    text = template
    for key, value in values.items():
        text = text.replace("${" + key + "}", str(value))
    biz_id = f"{uuid.uuid4().int % 10**12:012d}^0"
    state["messages"].append(
        {
            "phone": phone,
            "template": params.get("TemplateCode"),
            "params": values,
            "text": f"【{params.get('SignName')}】{text}",
            "biz_id": biz_id,
            "out_id": params.get("OutId"),
        }
    )
    return _answer("OK", "OK", BizId=biz_id)


async def list_messages(request: web.Request) -> web.Response:
    phone = request.query.get("phone")
    messages = [m for m in request.app["state"]["messages"] if not phone or m["phone"] == phone]
    return web.json_response(messages, dumps=lambda o: json.dumps(o, ensure_ascii=False))


async def set_faults(request: web.Request) -> web.Response:
    data = await request.json()
    state = request.app["state"]
    if "delay" in data:
        state["delay"] = float(data["delay"])
    if data.get("code") or data.get("http"):
        state["faults"].append({"times": int(data.get("times", 1)), **data})
    if data.get("clear"):
        state["faults"].clear()
        state["delay"] = 0.0
    return web.json_response({"ok": True})


def create_app() -> web.Application:
    app = web.Application()
    app["state"] = {"messages": [], "faults": [], "delay": 0.0}
    app.router.add_post("/", send_sms)
    app.router.add_get("/_sim/messages", list_messages)
    app.router.add_post("/_sim/faults", set_faults)
    return app


def zsb_settings(base_url: str) -> dict[str, str]:
    return {"sms_api_base": base_url, "sms_app_id": ACCESS_KEY, "sms_app_secret": SECRET}
