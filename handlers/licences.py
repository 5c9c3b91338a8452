"""The citizen's 电子证照 wallet: my licences (the licence library's and our certificates), one
licence, and 亮证 (a QR code that holds for a short time). Another person's licence answers
404 like one that does not exist."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sanic import Blueprint, HTTPResponse

from app import clock
from app.context import AppRequest
from app.handler_kit import doc, fails, ok, returns
from app.licences import show, wallet
from app.licences.schemas import LicenceOut, ShowOut, WalletOut
from app.security.auth import citizen_required

if TYPE_CHECKING:
    from app.interfaces import LicenceLibrary

bp = Blueprint("licences", url_prefix="/api/v1/licences")
TAG = "licences"
NOT_FOUND = (404, "LICENCE_NOT_FOUND: none, or not mine")
UNAVAILABLE = (503, "LICENCE_LIBRARY_UNAVAILABLE")


def _library(request: AppRequest) -> LicenceLibrary:
    return request.app.ctx.edges.licence_library()


@bp.get("")
@doc("My wallet: licences from the licence library and certificates we issued", TAG)
@citizen_required
@returns(WalletOut)
@fails(UNAVAILABLE)
async def my_wallet(request: AppRequest) -> HTTPResponse:
    return ok({"items": await wallet.wallet(request.ctx.person_id, _library(request))})


@bp.get("/<licence_id:str>")
@doc("One licence of mine, fetched afresh (its library signature checked)", TAG)
@citizen_required
@returns(LicenceOut)
@fails(NOT_FOUND, UNAVAILABLE)
async def read_one(request: AppRequest, licence_id: str) -> HTTPResponse:
    held = await wallet.resolve(request.ctx.person_id, licence_id[:80], _library(request))
    today = clock.local(clock.now()).date()
    return ok(wallet.view(held.wallet_id, held.record, held.holder, held.source, today))


@bp.post("/<licence_id:str>/show")
@doc("亮证: a signed QR code for this licence that holds for a short time", TAG)
@citizen_required
@returns(ShowOut, status=201)
@fails(NOT_FOUND, UNAVAILABLE, (409, "LICENCE_NOT_VALID: expired or cancelled"))
async def show_one(request: AppRequest, licence_id: str) -> HTTPResponse:
    answer = await show.show(request.ctx.person_id, licence_id[:80], _library(request))
    return ok(answer, status=201)
