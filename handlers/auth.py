"""Citizen login in the app channel (phone + one-time code), token refresh and logout."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.handler_kit import Done, body, doc, ok, returns
from app.identity import otp
from app.identity.accounts import login_or_register
from app.security import tokens
from app.security.auth import citizen_required

bp = Blueprint("auth", url_prefix="/api/v1/auth")


class OtpRequest(BaseModel):
    phone: str = Field(min_length=11, max_length=11, description="mainland mobile number")


class OtpSent(BaseModel):
    sent: bool
    resend_after: int


class OtpLogin(BaseModel):
    phone: str = Field(min_length=11, max_length=11)
    code: str = Field(pattern=r"^\d{6}$")
    device: str | None = Field(default=None, max_length=128)


class TokenPairOut(BaseModel):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"
    person_id: int | None = None


class RefreshIn(BaseModel):
    refresh_token: str = Field(min_length=10, max_length=200)


def client_ip(request: AppRequest) -> str:
    return request.remote_addr or request.ip or "unknown"


@bp.post("/otp")
@doc("Send a one-time login code by SMS", "auth")
@body(OtpRequest)
@returns(OtpSent)
async def send_otp(request: AppRequest) -> HTTPResponse:
    ctx = request.app.ctx
    wait = await otp.send_code(
        ctx.kv, ctx.edges.sms(), ctx.settings, request.ctx.body.phone, client_ip(request)
    )
    return ok(OtpSent(sent=True, resend_after=wait))


@bp.post("/otp/login")
@doc("Log in with phone + one-time code", "auth")
@body(OtpLogin)
@returns(TokenPairOut)
async def otp_login(request: AppRequest) -> HTTPResponse:
    data: OtpLogin = request.ctx.body
    identity = await request.app.ctx.edges.app_login().identify(
        {"phone": data.phone, "code": data.code}
    )
    person_id = await login_or_register(identity)
    pair = await tokens.issue_pair("citizen", person_id, device=data.device, channel="app")
    return ok({**pair.as_dict(), "person_id": person_id})


@bp.post("/refresh")
@doc("Exchange a refresh token for a new pair (the old one is spent)", "auth")
@body(RefreshIn)
@returns(TokenPairOut)
async def refresh(request: AppRequest) -> HTTPResponse:
    pair, row = await tokens.rotate(request.ctx.body.refresh_token, "citizen", request.app.ctx.kv)
    return ok({**pair.as_dict(), "person_id": row.subject_id})


@bp.post("/logout")
@doc("Log out this session (revokes its refresh-token family)", "auth")
@citizen_required
@returns(Done)
async def logout(request: AppRequest) -> HTTPResponse:
    await tokens.revoke_family(request.ctx.token_claims["fam"], "logout", request.app.ctx.kv)
    return ok({"ok": True})
