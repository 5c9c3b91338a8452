"""Staff login, refresh and who-am-I."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sanic import Blueprint, HTTPResponse

from app.context import AppRequest
from app.handler_kit import Done, body, doc, ok, returns
from app.security import tokens
from app.security.auth import staff_required
from app.staff import authenticate_staff, staff_claims, staff_claims_for
from handlers.auth import RefreshIn
from models.core import StaffAccount

bp = Blueprint("staff_auth", url_prefix="/api/v1/staff/auth")


class StaffLogin(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class StaffTokenPair(BaseModel):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"


class StaffMe(BaseModel):
    id: int
    username: str
    display_name: str
    roles: list[str]
    department_id: int


@bp.post("/login")
@doc("Staff login with username and password", "staff auth")
@body(StaffLogin)
@returns(StaffTokenPair)
async def login(request: AppRequest) -> HTTPResponse:
    data: StaffLogin = request.ctx.body
    staff = await authenticate_staff(data.username, data.password, request.app.ctx.kv)
    pair = await tokens.issue_pair(
        "staff", staff.id, channel="staff", extra_claims=staff_claims(staff)
    )
    return ok(pair.as_dict())


@bp.post("/refresh")
@doc("Exchange a staff refresh token for a new pair", "staff auth")
@body(RefreshIn)
@returns(StaffTokenPair)
async def refresh(request: AppRequest) -> HTTPResponse:
    pair, _ = await tokens.rotate(
        request.ctx.body.refresh_token, "staff", request.app.ctx.kv, staff_claims_for
    )
    return ok(pair.as_dict())


@bp.get("/me")
@doc("The signed-in staff member", "staff auth")
@staff_required()
@returns(StaffMe)
async def me(request: AppRequest) -> HTTPResponse:
    staff = await StaffAccount.get(id=request.ctx.staff.id)
    return ok(
        StaffMe(
            id=staff.id,
            username=staff.username,
            display_name=staff.display_name,
            roles=list(staff.roles),
            department_id=staff.department_id,
        )
    )


@bp.post("/logout")
@doc("End this login: its refresh token and access tokens are refused from now on", "staff auth")
@staff_required()
@returns(Done)
async def logout(request: AppRequest) -> HTTPResponse:
    await tokens.revoke_family(request.ctx.token_claims["fam"], "logout", request.app.ctx.kv)
    return ok({"ok": True})
