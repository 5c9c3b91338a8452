"""Simulator of a faceid-style ID verification platform (Tencent Cloud API 3.0 shape).

One endpoint ``POST /`` with ``X-TC-Action``:
- ``IdCardVerification`` {IdCard, Name} → ``Result`` "0" match, "-1" mismatch, "-2" bad ID
  number (GB 11643 check digit / date), "-5" no record — from the table of known people;
- ``DetectAuth`` {IdCard, Name, RedirectUrl} → {BizToken, Url}: opens a face session;
- ``GET /face?token=`` the liveness page a person opens; its buttons go back to RedirectUrl
  with ``BizToken`` added;
- ``GetDetectInfoEnhanced`` {BizToken} → ``Text`` {ErrCode, LiveStatus, Comparestatus, IdCard,
  Name}; ``ErrCode`` is null until the person has done the liveness step.
Every request must carry a valid TC3-HMAC-SHA256 ``Authorization`` (else ``AuthFailure``).

Control endpoints: ``POST /_sim/people`` {id_number, name} adds a known person;
``POST /_sim/faults`` {action, result?, http_status?, times} scripts the next answers;
``POST /_sim/face/{biz_token}/complete`` {live: bool, same_person: bool} plays the person at
the liveness page; ``GET /_sim/requests`` lists what was received (actions only).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import time
import uuid
from datetime import UTC, date, datetime
from typing import Any

from aiohttp import web
from yarl import URL

SECRET_ID = "AKIDzsbSimulatorIdCheck"
IDCHECK_SECRET = "sim-idcheck-secret"
FACE_SECRET = "sim-face-secret"

# The fixture table: valid numbers from the public python-stdnum tests and the Tencent doc.
KNOWN_PEOPLE: dict[str, str] = {
    "110102199101010078": "张三",
    "120110198012010073": "李四",
    "11010519491231002X": "王芳",
    "360426199101010071": "赵一",
    "440305199505132561": "陈静",
}
# A valid number the authoritative source does not know (no record).
UNKNOWN_VALID = "412723199010050012"

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def _id_ok(number: str) -> bool:
    if not re.fullmatch(r"\d{17}[\dX]", number):
        return False
    check = "10X98765432"[sum(int(c) * w for c, w in zip(number, _WEIGHTS, strict=False)) % 11]
    if number[17] != check:
        return False
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return date(1880, 1, 1) <= born <= date.today()


def _hmac(key: bytes, msg: str) -> bytes:
    return hmac.new(key, msg.encode(), hashlib.sha256).digest()


def _expected_signature(request: web.Request, body: bytes, secret: str, ts: int) -> str:
    action = request.headers.get("X-TC-Action", "").lower()
    ctype = request.headers.get("Content-Type", "")
    canonical = "\n".join(
        [
            request.method,
            "/",
            "",
            f"content-type:{ctype}\nhost:{request.host}\nx-tc-action:{action}\n",
            "content-type;host;x-tc-action",
            hashlib.sha256(body).hexdigest(),
        ]
    )
    day = datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")
    to_sign = "\n".join(
        [
            "TC3-HMAC-SHA256",
            str(ts),
            f"{day}/faceid/tc3_request",
            hashlib.sha256(canonical.encode()).hexdigest(),
        ]
    )
    key = _hmac(_hmac(_hmac(("TC3" + secret).encode(), day), "faceid"), "tc3_request")
    return hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()


def _answer(payload: dict[str, Any]) -> web.Response:
    payload["RequestId"] = str(uuid.uuid4())
    return web.json_response({"Response": payload})


def _error(code: str, message: str) -> web.Response:
    return _answer({"Error": {"Code": code, "Message": message}})


def _auth_error(request: web.Request, body: bytes) -> web.Response | None:
    state = request.app["state"]
    auth = request.headers.get("Authorization", "")
    m = re.fullmatch(
        r"TC3-HMAC-SHA256 Credential=([^/]+)/(\d{4}-\d{2}-\d{2})/faceid/tc3_request, "
        r"SignedHeaders=content-type;host;x-tc-action, Signature=([0-9a-f]{64})",
        auth,
    )
    if not m or m.group(1) != state["secret_id"]:
        return _error("AuthFailure.SecretIdNotFound", "密钥不存在")
    try:
        ts = int(request.headers.get("X-TC-Timestamp", ""))
    except ValueError:
        return _error("AuthFailure.InvalidAuthorization", "时间戳无效")
    if abs(time.time() - ts) > 300:
        return _error("AuthFailure.SignatureExpire", "签名过期")
    action = request.headers.get("X-TC-Action", "")
    secret = state["face_secret"] if action != "IdCardVerification" else state["idcheck_secret"]
    if not hmac.compare_digest(m.group(3), _expected_signature(request, body, secret, ts)):
        return _error("AuthFailure.SignatureFailure", "签名错误")
    return None


def _fault(state: dict[str, Any], action: str) -> dict[str, Any] | None:
    for fault in state["faults"]:
        if fault["action"] == action and fault["times"] > 0:
            fault["times"] -= 1
            return fault
    return None


async def api(request: web.Request) -> web.StreamResponse:
    state = request.app["state"]
    body = await request.read()
    action = request.headers.get("X-TC-Action", "")
    state["requests"].append({"action": action, "at": time.time()})
    denied = _auth_error(request, body)
    if denied is not None:
        return denied
    fault = _fault(state, action)
    if fault and fault.get("http_status"):
        return web.Response(status=int(fault["http_status"]), text="busy")
    try:
        params = json.loads(body)
    except ValueError:
        return _error("InvalidParameter", "请求体不是JSON")
    handler = ACTIONS.get(action)
    if handler is None:
        return _error("InvalidAction", "接口不存在")
    return handler(state, params, fault)


def _id_card_verification(state: dict[str, Any], p: dict[str, Any], fault: Any) -> web.Response:
    if fault and fault.get("result"):
        return _answer({"Result": str(fault["result"]), "Description": "模拟结果"})
    number = str(p.get("IdCard", "")).upper()
    name = str(p.get("Name", ""))
    if not _id_ok(number):
        return _answer({"Result": "-2", "Description": "非法身份证号"})
    if not name or len(name) > 32:
        return _answer({"Result": "-3", "Description": "非法姓名"})
    known = state["people"].get(number)
    if known is None:
        return _answer({"Result": "-5", "Description": "证件库中无此身份证记录"})
    if known != name:
        return _answer({"Result": "-1", "Description": "姓名和身份证号不一致"})
    return _answer({"Result": "0", "Description": "姓名和身份证号一致"})


def _detect_auth(state: dict[str, Any], p: dict[str, Any], fault: Any) -> web.Response:
    number = str(p.get("IdCard", "")).upper()
    if not _id_ok(number):
        return _error("InvalidParameterValue.IdCardError", "身份证号格式错误")
    token = str(uuid.uuid4()).upper()
    state["face"][token] = {"id_number": number, "name": p.get("Name"), "done": None,
                            "redirect": str(p.get("RedirectUrl") or "")}
    base = state.get("public_base", "")
    return _answer({"BizToken": token, "Url": f"{base}/face?token={token}"})


def _detect_info(state: dict[str, Any], p: dict[str, Any], fault: Any) -> web.Response:
    session = state["face"].get(str(p.get("BizToken", "")))
    if session is None:
        return _error("InvalidParameterValue.BizTokenIllegal", "BizToken不合法")
    done = session["done"]
    if done is None:
        return _answer({"Text": {"ErrCode": None, "ErrMsg": None}})
    known = state["people"].get(session["id_number"]) == session["name"]
    live = 0 if done["live"] else 1
    compare = 0 if done["same_person"] and known else 1
    err = 0 if live == 0 and compare == 0 else -1
    return _answer(
        {
            "Text": {
                "ErrCode": err,
                "ErrMsg": "成功" if err == 0 else "比对失败",
                "IdCard": session["id_number"],
                "Name": session["name"],
                "LiveStatus": live,
                "LiveMsg": "成功" if live == 0 else "活体检测未通过",
                "Comparestatus": compare,
                "Comparemsg": "成功" if compare == 0 else "比对不一致",
                "Sim": "92.31" if compare == 0 else "12.05",
            }
        }
    )


ACTIONS = {
    "IdCardVerification": _id_card_verification,
    "DetectAuth": _detect_auth,
    "GetDetectInfoEnhanced": _detect_info,
}


async def add_person(request: web.Request) -> web.Response:
    data = await request.json()
    request.app["state"]["people"][str(data["id_number"]).upper()] = str(data["name"])
    return web.json_response({"ok": True})


async def set_fault(request: web.Request) -> web.Response:
    data = await request.json()
    data.setdefault("times", 1)
    request.app["state"]["faults"].append(data)
    return web.json_response({"ok": True})


async def complete_face(request: web.Request) -> web.Response:
    session = request.app["state"]["face"].get(request.match_info["token"])
    if session is None:
        return web.json_response({"ok": False}, status=404)
    data = await request.json()
    session["done"] = {
        "live": bool(data.get("live", True)),
        "same_person": bool(data.get("same_person", True)),
    }
    return web.json_response({"ok": True})


async def list_requests(request: web.Request) -> web.Response:
    return web.json_response(request.app["state"]["requests"])


FACE_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>人脸核验</title>
<style>body{{margin:0;font-family:-apple-system,"PingFang SC","Noto Sans CJK SC",sans-serif;
text-align:center;background:#fff;color:#111}}.sim{{color:#fa5151;font-size:12px;padding:12px}}
.ring{{width:200px;height:200px;border-radius:50%;border:4px solid #1a5fd6;margin:32px auto 16px;
background:radial-gradient(#eef3fc,#dbe6fa);display:flex;align-items:center;
justify-content:center;font-size:15px;color:#1a5fd6}}button{{width:80%;border:0;
border-radius:24px;font-size:17px;padding:12px;margin:8px auto;display:block}}
.ok{{background:#1a5fd6;color:#fff}}.no{{background:#f2f2f2;color:#333}}</style></head><body>
<div class="sim">人脸核验模拟器 · 仅用于演示和测试</div><h2>人脸核验</h2>
<p>请正对屏幕，缓慢眨眼</p><div class="ring">{name}</div>
<form method="post" action="/face"><input type="hidden" name="token" value="{token}">
<button class="ok" name="live" value="1">完成核验（本人）</button>
<button class="no" name="live" value="0">模拟核验失败</button></form></body></html>"""


async def face_page(request: web.Request) -> web.Response:
    """The liveness page a person opens (DetectAuth's ``Url``)."""
    token = request.query.get("token", "")
    session = request.app["state"]["face"].get(token)
    if session is None:
        return web.Response(status=404, text="核验链接无效或已过期")
    name = str(session.get("name") or "")
    masked = name[:1] + "*" * max(len(name) - 1, 1) if name else "本人"
    return web.Response(text=FACE_PAGE.format(name=masked, token=token),
                        content_type="text/html", charset="utf-8")


async def face_done(request: web.Request) -> web.Response:
    """The person finished the liveness step; back to the merchant's RedirectUrl with the
    ``BizToken``, as the real service does."""
    form = await request.post()
    token = str(form.get("token", ""))
    session = request.app["state"]["face"].get(token)
    if session is None:
        return web.Response(status=404, text="核验链接无效或已过期")
    live = form.get("live") == "1"
    session["done"] = {"live": live, "same_person": live}
    if not session["redirect"]:
        return web.Response(text="核验完成", content_type="text/plain", charset="utf-8")
    back = URL(session["redirect"]).update_query(BizToken=token)
    raise web.HTTPFound(str(back))


@web.middleware
async def _remember_base(request: web.Request, handler: Any) -> web.StreamResponse:
    request.app["state"]["public_base"] = f"{request.scheme}://{request.host}"
    return await handler(request)


def create_app() -> web.Application:
    app = web.Application(middlewares=[_remember_base])
    app["state"] = {
        "secret_id": SECRET_ID,
        "idcheck_secret": IDCHECK_SECRET,
        "face_secret": FACE_SECRET,
        "people": dict(KNOWN_PEOPLE),
        "faults": [],
        "face": {},
        "requests": [],
    }
    app.router.add_post("/", api)
    app.router.add_get("/face", face_page)
    app.router.add_post("/face", face_done)
    app.router.add_post("/_sim/people", add_person)
    app.router.add_post("/_sim/faults", set_fault)
    app.router.add_post("/_sim/face/{token}/complete", complete_face)
    app.router.add_get("/_sim/requests", list_requests)
    return app


def zsb_settings(base_url: str) -> dict[str, str]:
    return {
        "idcheck_api_base": base_url,
        "face_api_base": base_url,
        "idcheck_app_key": SECRET_ID,
        "idcheck_app_secret": IDCHECK_SECRET,
        "face_app_secret": FACE_SECRET,
    }
