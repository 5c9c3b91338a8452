"""WeChat official account simulator: the API (``api.weixin.qq.com``) and the callback pusher.

Serves ``cgi-bin/token``, ``cgi-bin/stable_token``, ``cgi-bin/ticket/getticket``,
``cgi-bin/menu/create|get|delete``, ``cgi-bin/message/template/send`` (then pushes a signed
``TEMPLATESENDJOBFINISH`` to ``app["zsb_base_url"] + "/callbacks/wechat"``),
``cgi-bin/message/subscribe/bizsend`` (answered without a msgid, then a signed
``subscribe_msg_sent_event``) and ``sns/oauth2/access_token``.

Control endpoints (JSON bodies):
- ``GET /connect/oauth2/authorize?…&sim_openid=`` (the browser page): redirects back with a code
- ``POST /_sim/oauth/code`` ``{openid, unionid?, scope?, snapshot?}`` → ``{code}`` (single use,
  5 minutes; ``snapshot`` answers ``is_snapshotuser: 1``, a 朋友圈 snapshot-page virtual user)
- ``POST /_sim/faults`` ``{expire_token, busy, quota, slow, unsubscribed, refused, receipts,
  receipt_status}`` — ``busy`` / ``quota`` count the calls that fail; ``expire_token`` makes the
  current tokens answer 42001
- ``POST /_sim/send/<kind>`` ``{openid, mode: plain|aes|compat, content, key, scene, msg_id,
  status, templates, repeat, xml}`` — sends a signed (and in aes mode encrypted) callback to our
  server; kinds: text, subscribe, unsubscribe, scan, click, view, receipt, subscribe_msg_popup,
  subscribe_msg_change, subscribe_msg_sent, raw. Answers our server's status, body and, in
  aes mode, the decrypted reply.
- ``GET /_sim/state`` — menu, sent messages, counters; ``POST /_sim/reset``.

The crypto here is written against ``cryptography`` directly, apart from the server's.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import aiohttp
from aiohttp import web

from sandbox.wechat.faults import err, faults_answer
from sandbox.wechat.oauth import authorize, sim_code, sns_access_token
from sandbox.wechat.proto import (
    APPID,
    CALLBACK_PATH,
    ENCODING_AES_KEY,
    ORIGINAL_ID,
    SECRET,
    TOKEN,
    build_event,
    build_text,
    decrypt_reply,
    sign_request,
)

TOKEN_TTL = 7200


def _new_state() -> dict[str, Any]:
    return {
        "tokens": {},  # token -> expires_at (monotonic)
        "stable": None,
        "issued_tickets": [],
        "codes": {},  # code -> {openid, unionid, scope, expires, used}
        "menu": None,
        "sent_templates": [],
        "sent_subscribe": [],
        "callbacks": [],
        "calls": [],
        "token_fetches": 0,
        "stable_forced": 0,  # force_refresh=true calls: WeChat allows 20 a day
        "faults": {
            "expire_token": False,
            "busy": 0,
            "quota": 0,
            "slow": 0.0,
            "unsubscribed": set(),
            "refused": set(),
            "receipts": True,
            "receipt_status": "success",
        },
        "tasks": set(),
    }


def _issue_token(state: dict[str, Any]) -> str:
    token = "SIMTOKEN_" + uuid.uuid4().hex
    state["tokens"][token] = time.monotonic() + TOKEN_TTL
    state["token_fetches"] += 1
    return token


async def token(request: web.Request) -> web.Response:
    state = request.app["state"]
    if (failure := await faults_answer(state, None)) is not None:
        return failure
    q = request.query
    if q.get("grant_type") != "client_credential":
        return err(40002, "invalid grant_type")
    if q.get("appid") != APPID or q.get("secret") != SECRET:
        return err(40125, "invalid appsecret")
    return web.json_response({"access_token": _issue_token(state), "expires_in": TOKEN_TTL})


async def stable_token(request: web.Request) -> web.Response:
    state = request.app["state"]
    if (failure := await faults_answer(state, None)) is not None:
        return failure
    body = await request.json()
    if body.get("appid") != APPID or body.get("secret") != SECRET:
        return err(40125, "invalid appsecret")
    current = state["stable"]
    state["stable_forced"] += bool(body.get("force_refresh"))
    if body.get("force_refresh") or current not in state["tokens"]:
        current = state["stable"] = _issue_token(state)
    remaining = int(state["tokens"][current] - time.monotonic())
    return web.json_response({"access_token": current, "expires_in": remaining})


def _record(request: web.Request, body: Any = None) -> None:
    request.app["state"]["calls"].append({"path": request.path, "body": body})


async def getticket(request: web.Request) -> web.Response:
    state = request.app["state"]
    _record(request)
    if (failure := await faults_answer(state, request.query.get("access_token", ""))) is not None:
        return failure
    ticket = "SIMTICKET_" + uuid.uuid4().hex
    state["issued_tickets"].append(ticket)
    return web.json_response({"errcode": 0, "errmsg": "ok", "ticket": ticket, "expires_in": 7200})


async def menu_create(request: web.Request) -> web.Response:
    state = request.app["state"]
    body = await request.json()
    _record(request, body)
    if (failure := await faults_answer(state, request.query.get("access_token", ""))) is not None:
        return failure
    buttons = body.get("button")
    if not isinstance(buttons, list) or not 1 <= len(buttons) <= 3:
        return err(40017, "invalid button size")
    state["menu"] = body
    return web.json_response({"errcode": 0, "errmsg": "ok"})


async def menu_get(request: web.Request) -> web.Response:
    state = request.app["state"]
    _record(request)
    if (failure := await faults_answer(state, request.query.get("access_token", ""))) is not None:
        return failure
    if state["menu"] is None:
        return err(46003, "menu no exist")
    return web.json_response({"menu": state["menu"]})


async def menu_delete(request: web.Request) -> web.Response:
    state = request.app["state"]
    _record(request)
    if (failure := await faults_answer(state, request.query.get("access_token", ""))) is not None:
        return failure
    state["menu"] = None
    return web.json_response({"errcode": 0, "errmsg": "ok"})


def _send_checks(state: dict[str, Any], body: dict[str, Any]) -> web.Response | None:
    openid = body.get("touser")
    if not isinstance(openid, str) or not openid.startswith("o"):
        return err(40003, "invalid openid")
    template_id = body.get("template_id")
    if not isinstance(template_id, str) or not template_id or template_id.startswith("bad"):
        return err(40037, "invalid template_id")
    if not isinstance(body.get("data"), dict):
        return err(47001, "data format error")
    if state["faults"]["quota"] > 0:
        state["faults"]["quota"] -= 1
        return err(45009, "reach max api daily quota limit")
    return None


async def template_send(request: web.Request) -> web.Response:
    state = request.app["state"]
    body = await request.json()
    _record(request, body)
    if (failure := await faults_answer(state, request.query.get("access_token", ""))) is not None:
        return failure
    if (failure := _send_checks(state, body)) is not None:
        return failure
    if body["touser"] in state["faults"]["unsubscribed"]:
        return err(43004, "require subscribe")
    msgid = 200000000 + len(state["sent_templates"]) + int(uuid.uuid4().int % 10**8) * 1000
    state["sent_templates"].append({**body, "msgid": msgid})
    if state["faults"]["receipts"] and request.app.get("zsb_base_url"):
        xml = build_event(
            body["touser"],
            "TEMPLATESENDJOBFINISH",
            extra={"MsgID": str(msgid), "Status": state["faults"]["receipt_status"]},
        )
        _push_soon(request.app, xml)
    return web.json_response({"errcode": 0, "errmsg": "ok", "msgid": msgid})


def _push_soon(app: web.Application, xml: str) -> None:
    task = asyncio.get_running_loop().create_task(_push_later(app, xml))
    app["state"]["tasks"].add(task)
    task.add_done_callback(app["state"]["tasks"].discard)


async def _push_later(app: web.Application, xml: str) -> None:
    await asyncio.sleep(0.05)  # WeChat's receipt comes after the send answer
    try:
        await push_callback(app, xml, "aes")
    except (aiohttp.ClientError, TimeoutError, ValueError):
        pass  # a receipt our server missed is just missed, as with WeChat


async def subscribe_send(request: web.Request) -> web.Response:
    state = request.app["state"]
    body = await request.json()
    _record(request, body)
    if (failure := await faults_answer(state, request.query.get("access_token", ""))) is not None:
        return failure
    if (failure := _send_checks(state, body)) is not None:
        return failure
    if body["touser"] in state["faults"]["refused"]:
        return err(43101, "user refuse to accept the msg")
    state["sent_subscribe"].append(body)
    if state["faults"]["receipts"] and request.app.get("zsb_base_url"):
        status = state["faults"]["receipt_status"]
        msg_id = str(1700000000000000000 + uuid.uuid4().int % 10**17)
        template = {"id": body["template_id"], "msg_id": msg_id, "status": status,
                    "error_code": 0 if status == "success" else 43101}
        _push_soon(request.app, build_event(body["touser"], "subscribe_msg_sent_event",
                                            templates=[template]))
    return web.json_response({"errcode": 0, "errmsg": "ok"})  # no msgid, as WeChat


# ------------------------------------------------------------------ control endpoints


async def sim_faults(request: web.Request) -> web.Response:
    faults = request.app["state"]["faults"]
    for name, value in (await request.json()).items():
        if name not in faults:
            return web.json_response({"error": f"unknown fault {name}"}, status=400)
        faults[name] = set(value) if name in {"unsubscribed", "refused"} else value
    return web.json_response({k: list(v) if isinstance(v, set) else v for k, v in faults.items()})


async def sim_reset(request: web.Request) -> web.Response:
    request.app["state"] = _new_state()
    return web.json_response({"ok": True})


async def sim_state(request: web.Request) -> web.Response:
    state = request.app["state"]
    return web.json_response(
        {
            "menu": state["menu"],
            "sent_templates": state["sent_templates"],
            "sent_subscribe": state["sent_subscribe"],
            "token_fetches": state["token_fetches"],
            "stable_forced": state["stable_forced"],
            "callbacks": state["callbacks"][-50:],
        }
    )


def _build(kind: str, p: dict[str, Any]) -> str:
    openid = p.get("openid", "oSIMUSER000000000000000000001")
    ts = int(p["create_time"]) if p.get("create_time") else None
    if kind == "raw":
        return str(p["xml"])
    if kind == "text":
        return build_text(openid, p.get("content", ""), msg_id=p.get("msg_id"), create_time=ts)
    events = {
        "subscribe": ("subscribe", {"EventKey": f"qrscene_{p['scene']}"} if p.get("scene") else {}),
        "unsubscribe": ("unsubscribe", {"EventKey": ""}),
        "scan": ("SCAN", {"EventKey": str(p.get("scene", "")), "Ticket": "SIMTICKET"}),
        "click": ("CLICK", {"EventKey": str(p.get("key", ""))}),
        "view": ("VIEW", {"EventKey": str(p.get("url", "https://example.invalid/"))}),
        "receipt": (
            "TEMPLATESENDJOBFINISH",
            {"MsgID": str(p.get("msg_id", "1")), "Status": p.get("status", "success")},
        ),
    }
    if kind in events:
        event, extra = events[kind]
        return build_event(openid, event, extra=extra, create_time=ts)
    if kind.startswith("subscribe_msg_"):
        return build_event(
            openid, f"{kind}_event", templates=p.get("templates", []), create_time=ts
        )
    raise KeyError(kind)


async def sim_send(request: web.Request) -> web.Response:
    params = await request.json() if request.can_read_body else {}
    try:
        xml = _build(request.match_info["kind"], params)
    except KeyError as exc:
        return web.json_response({"error": f"unknown kind or missing field {exc}"}, status=400)
    results = []
    for _ in range(int(params.get("repeat", 1))):
        results.append(await push_callback(request.app, xml, params.get("mode", "aes"), params))
    return web.json_response({**results[-1], "all": results})


async def push_callback(
    app: web.Application, xml: str, mode: str, options: dict[str, Any] | None = None
) -> dict[str, Any]:
    """POST one signed callback to our server; answer its status, body and decrypted reply."""
    options = options or {}
    query, body = sign_request(
        xml, mode, bad_signature=bool(options.get("bad_signature")), appid=options.get("appid")
    )
    url = app["zsb_base_url"].rstrip("/") + CALLBACK_PATH
    session: aiohttp.ClientSession = app["session"]
    async with session.post(
        url, params=query, data=body.encode(), headers={"Content-Type": "text/xml"}
    ) as resp:
        text = await resp.text()
        result: dict[str, Any] = {"status": resp.status, "body": text, "reply": None}
    if mode in {"aes", "compat"} and text.startswith("<xml>"):
        result["reply"] = decrypt_reply(text)
    elif text.startswith("<xml>"):
        result["reply"] = text
    app["state"]["callbacks"].append({"xml": xml, "mode": mode, **result})
    return result


async def _session(app: web.Application) -> Any:
    app["session"] = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10))
    yield
    for task in list(app["state"]["tasks"]):
        task.cancel()
    await app["session"].close()


def create_app() -> web.Application:
    app = web.Application()
    app["state"] = _new_state()
    app["zsb_base_url"] = None
    app.cleanup_ctx.append(_session)
    app.router.add_get("/cgi-bin/token", token)
    app.router.add_post("/cgi-bin/stable_token", stable_token)
    app.router.add_get("/cgi-bin/ticket/getticket", getticket)
    app.router.add_post("/cgi-bin/menu/create", menu_create)
    app.router.add_get("/cgi-bin/menu/get", menu_get)
    app.router.add_get("/cgi-bin/menu/delete", menu_delete)
    app.router.add_post("/cgi-bin/message/template/send", template_send)
    app.router.add_post("/cgi-bin/message/subscribe/bizsend", subscribe_send)
    app.router.add_get("/sns/oauth2/access_token", sns_access_token)
    app.router.add_get("/connect/oauth2/authorize", authorize)
    app.router.add_post("/_sim/oauth/code", sim_code)
    app.router.add_post("/_sim/faults", sim_faults)
    app.router.add_post("/_sim/reset", sim_reset)
    app.router.add_get("/_sim/state", sim_state)
    app.router.add_post("/_sim/send/{kind}", sim_send)
    return app


def zsb_settings(base_url: str) -> dict[str, str]:
    return {
        "wechat_api_base": base_url,
        "wechat_open_base": base_url,
        "wechat_appid": APPID,
        "wechat_secret": SECRET,
        "wechat_token": TOKEN,
        "wechat_aes_key": ENCODING_AES_KEY,
        "wechat_original_id": ORIGINAL_ID,
    }
