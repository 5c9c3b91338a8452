"""Web OAuth2 (网页授权) of the WeChat simulator: the authorize page, the code exchange, and
``POST /_sim/oauth/code`` to mint a code without a browser. Codes are single use, 5 minutes."""

from __future__ import annotations

import time
import uuid
from typing import Any

from aiohttp import web
from yarl import URL

from sandbox.wechat.faults import err, faults_answer
from sandbox.wechat.proto import APPID, SECRET

CODE_TTL = 300.0


async def sns_access_token(request: web.Request) -> web.Response:
    state = request.app["state"]
    if (failure := await faults_answer(state, None)) is not None:
        return failure
    q = request.query
    if q.get("appid") != APPID or q.get("secret") != SECRET:
        return err(40125, "invalid appsecret")
    if q.get("grant_type") != "authorization_code":
        return err(40002, "invalid grant_type")
    code = state["codes"].get(q.get("code", ""))
    if code is None or code["expires"] <= time.monotonic():
        return err(40029, "invalid code")
    if code["used"]:
        return err(40163, "code been used")
    code["used"] = True
    answer = {
        "access_token": "SNS_" + uuid.uuid4().hex,
        "expires_in": 7200,
        "refresh_token": "SNSR_" + uuid.uuid4().hex,
        "openid": code["openid"],
        "scope": code["scope"],
    }
    if code["unionid"] and code["scope"] == "snsapi_userinfo":
        answer["unionid"] = code["unionid"]
    if code.get("snapshot"):  # 朋友圈快照页: a virtual user, not the person
        answer["is_snapshotuser"] = 1
    return web.json_response(answer)


async def authorize(request: web.Request) -> web.Response:
    """The user's browser at WeChat's authorize page: consent is immediate; ``sim_openid``
    (a simulator extension) picks who is "logged in to WeChat"."""
    q = request.query
    if q.get("appid") != APPID or q.get("response_type") != "code":
        return web.Response(status=400, text="参数错误")
    if q.get("scope") not in {"snsapi_base", "snsapi_userinfo"}:
        return web.Response(status=400, text="scope 参数错误")
    openid = q.get("sim_openid") or "oSIMDEMO000000000000000000001"
    code = _issue_code(request.app["state"], openid, q.get("sim_unionid"), q["scope"])
    redirect = URL(q.get("redirect_uri", "")).update_query(code=code, state=q.get("state", ""))
    raise web.HTTPFound(str(redirect))


def _issue_code(state: dict[str, Any], openid: str, unionid: str | None, scope: str) -> str:
    code = uuid.uuid4().hex[:32]
    state["codes"][code] = {
        "openid": openid,
        "unionid": unionid,
        "scope": scope,
        "expires": time.monotonic() + CODE_TTL,
        "used": False,
    }
    return code


async def sim_code(request: web.Request) -> web.Response:
    body = await request.json()
    scope = body.get("scope", "snsapi_userinfo" if body.get("unionid") else "snsapi_base")
    state = request.app["state"]
    code = _issue_code(state, body["openid"], body.get("unionid"), scope)
    if "ttl" in body:
        state["codes"][code]["expires"] = time.monotonic() + float(body["ttl"])
    state["codes"][code]["snapshot"] = bool(body.get("snapshot"))
    return web.json_response({"code": code})
