"""Identity API: WeChat and Alipay logins, consents, real-name verification.

The user centre, companies and the staff PII read live in ``handlers/identity_centre.py``;
``bp`` groups both.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.errors import BadRequest
from app.handler_kit import body, doc, ok, query, returns
from app.identity import consents, logins, oauth_state, realname, sessions
from app.identity.binding import ProofApplied
from app.links import h5_url, on_h5
from app.security.auth import citizen_required
from app.settings import Settings
from handlers.identity_centre import centre
from handlers.identity_schemas import (
    AuthorizeUrlOut,
    ConsentOut,
    ConsentTextOut,
    FaceSessionOut,
    LoginOut,
    RealNameOut,
    WithdrawnOut,
)

FACE_DONE_PAGE = "/realname/face/done"  # the H5 page that reads the face check's result
auth = Blueprint("identity_auth", url_prefix="/api/v1/auth")
rn = Blueprint("identity_realname", url_prefix="/api/v1")


class AuthorizeUrlQuery(BaseModel):
    redirect_uri: str = Field(min_length=8, max_length=500)
    scope: Literal["snsapi_base", "snsapi_userinfo"] = "snsapi_base"


class WeChatLoginIn(BaseModel):
    code: str = Field(min_length=1, max_length=128)
    state: str = Field(min_length=10, max_length=200)
    device: str | None = Field(default=None, max_length=128)


class AlipayLoginIn(BaseModel):
    auth_code: str = Field(min_length=1, max_length=128)
    device: str | None = Field(default=None, max_length=128)


class ConsentIn(BaseModel):
    purpose: Literal["realname", "face"]
    text_version: str = Field(min_length=1, max_length=32)


class IdCardIn(BaseModel):
    name: str = Field(min_length=1, max_length=30)
    id_number: str = Field(min_length=1, max_length=20)


class FaceStartIn(BaseModel):
    name: str | None = Field(default=None, max_length=30)
    id_number: str | None = Field(default=None, max_length=20)
    redirect_url: str | None = Field(default=None, max_length=500)


class AlipayRealNameIn(BaseModel):
    """Nothing to send: the identity comes from the Alipay login's authorisation."""


class FaceFinishIn(BaseModel):
    biz_token: str = Field(min_length=8, max_length=128)


def _on_site(settings: Settings, url: str) -> str:
    """``url`` when it is a page of this site or its H5; no open redirect through a platform."""
    if not (url.startswith(settings.public_base_url.rstrip("/") + "/") or on_h5(settings, url)):
        raise BadRequest("回调地址不在本站", code="REDIRECT_URI_INVALID")
    return url


@auth.get("/wechat/authorize-url")
@doc("WeChat web OAuth: the authorize URL with a signed, single-use state bound to this "
     "browser (an HttpOnly cookie that the login call must carry)", "identity")
@query(AuthorizeUrlQuery)
@returns(AuthorizeUrlOut)
async def wechat_authorize_url(request: AppRequest) -> HTTPResponse:
    q: AuthorizeUrlQuery = request.ctx.query
    settings = request.app.ctx.settings
    _on_site(settings, q.redirect_uri)
    binding = oauth_state.new_binding()
    state = oauth_state.issue(settings.state_secret.get_secret_value(), binding)
    url = request.app.ctx.edges.wechat_login().authorize_url(q.redirect_uri, q.scope, state)
    response = ok({"url": url, "state": state})
    response.add_cookie(
        oauth_state.COOKIE, binding, path="/api/v1/auth/wechat", httponly=True, samesite="Lax",
        secure=request.scheme == "https", max_age=oauth_state.TTL_SECONDS,
    )
    return response


@auth.post("/wechat/login")
@doc("WeChat web OAuth: exchange the code for a token pair", "identity")
@body(WeChatLoginIn)
@returns(LoginOut)
async def wechat_login(request: AppRequest) -> HTTPResponse:
    data: WeChatLoginIn = request.ctx.body
    ctx = request.app.ctx
    await oauth_state.consume(
        ctx.settings.state_secret.get_secret_value(), data.state,
        request.cookies.get(oauth_state.COOKIE) or "", ctx.kv,
    )
    answer = await logins.login(
        ctx.edges.wechat_login(), {"code": data.code}, kv=ctx.kv, device=data.device
    )
    return ok(answer)


@auth.post("/alipay/login")
@doc("Alipay mini-program: exchange the auth_code for a token pair", "identity")
@body(AlipayLoginIn)
@returns(LoginOut)
async def alipay_login(request: AppRequest) -> HTTPResponse:
    data: AlipayLoginIn = request.ctx.body
    ctx = request.app.ctx
    answer = await logins.login(
        ctx.edges.alipay_login(), {"auth_code": data.auth_code}, kv=ctx.kv, device=data.device
    )
    return ok(answer)


@rn.get("/consents/texts")
@doc("The consent texts in force (PIPL art. 29 separate consent)", "identity")
@returns(list[ConsentTextOut])
async def consent_texts(request: AppRequest) -> HTTPResponse:
    return ok([t.__dict__ for t in consents.TEXTS.values()])


@rn.get("/consents")
@doc("My consents", "identity")
@returns(list[ConsentOut])
@citizen_required
async def my_consents(request: AppRequest) -> HTTPResponse:
    return ok(await consents.current(request.ctx.person_id))


@rn.post("/consents")
@doc("Give a separate consent for one purpose and text version", "identity")
@citizen_required
@body(ConsentIn)
@returns(ConsentOut, status=201)
async def give_consent(request: AppRequest) -> HTTPResponse:
    data: ConsentIn = request.ctx.body
    channel, _ = await _login_of(request)
    row = await consents.grant(request.ctx.person_id, data.purpose, data.text_version, channel)
    return ok({"purpose": row.purpose, "text_version": row.text_version}, status=201)


@rn.delete("/consents/<purpose:key32>")
@doc("Withdraw a consent", "identity")
@returns(WithdrawnOut)
@citizen_required
async def withdraw_consent(request: AppRequest, purpose: str) -> HTTPResponse:
    return ok({"withdrawn": await consents.withdraw(request.ctx.person_id, purpose)})


async def _login_of(request: AppRequest) -> tuple[str | None, str | None]:
    return await sessions.login_of(request.ctx.token_claims.get("fam"))


async def _answer(request: AppRequest, applied: ProofApplied) -> HTTPResponse:
    fam = request.ctx.token_claims.get("fam")
    return ok(await sessions.proof_answer(applied, fam, request.app.ctx.kv))


@rn.post("/realname/idcard")
@doc("Real-name L2: name + ID number checked by the ID verification provider", "identity")
@citizen_required
@body(IdCardIn)
@returns(RealNameOut)
async def realname_idcard(request: AppRequest) -> HTTPResponse:
    data: IdCardIn = request.ctx.body
    ctx = request.app.ctx
    channel, _ = await _login_of(request)
    applied = await realname.verify_id(
        request.ctx.person_id,
        data.name,
        data.id_number,
        provider=ctx.edges.realname(),
        kv=ctx.kv,
        channel=channel,
    )
    return await _answer(request, applied)


@rn.post("/realname/alipay")
@doc("Real-name L2 from the Alipay certified identity (alipay.user.info.share)", "identity")
@citizen_required
@body(AlipayRealNameIn, optional=True)
@returns(RealNameOut)
async def realname_alipay(request: AppRequest) -> HTTPResponse:
    ctx = request.app.ctx
    await consents.require(request.ctx.person_id, "realname")
    token = await logins.alipay_token(ctx.kv, request.ctx.person_id)
    share = await logins.alipay_share(ctx.edges.alipay_login(), token)
    applied = await realname.verify_alipay_share(request.ctx.person_id, share, channel="alipay")
    return await _answer(request, applied)


@rn.post("/realname/face/start")
@doc("Real-name L3: open a face verification session", "identity")
@citizen_required
@body(FaceStartIn, optional=True)
@returns(FaceSessionOut, status=201)
async def face_start(request: AppRequest) -> HTTPResponse:
    data: FaceStartIn = request.ctx.body
    ctx = request.app.ctx
    redirect = _on_site(ctx.settings, data.redirect_url or h5_url(ctx.settings, FACE_DONE_PAGE))
    session = await realname.start_face(
        request.ctx.person_id,
        data.name,
        data.id_number,
        verifier=ctx.edges.face(),
        kv=ctx.kv,
        redirect_url=redirect,
    )
    return ok(session, status=201)


@rn.post("/realname/face/finish")
@doc("Real-name L3: read the face verification result", "identity")
@citizen_required
@body(FaceFinishIn)
@returns(RealNameOut)
async def face_finish(request: AppRequest) -> HTTPResponse:
    ctx = request.app.ctx
    channel, _ = await _login_of(request)
    applied = await realname.finish_face(
        request.ctx.person_id,
        request.ctx.body.biz_token,
        verifier=ctx.edges.face(),
        kv=ctx.kv,
        channel=channel,
    )
    return await _answer(request, applied)


bp = Blueprint.group(auth, rn, centre)
