"""``GET /verify/<code>`` (fixed contract): public, no login. HTML for a person who scanned the
QR code, JSON when asked (``Accept: application/json``)."""

from __future__ import annotations

from sanic import Blueprint
from sanic.response import HTTPResponse, html

from app.certificates import page, verify
from app.certificates.schemas import VerifyOut
from app.context import AppRequest
from app.handler_kit import doc, fails, id_headers, ok, returns
from app.licences import show
from app.licences.schemas import ShownOut
from handlers.auth import client_ip

bp = Blueprint("verify", url_prefix="/verify")


def wants_json(request: AppRequest) -> bool:
    return "application/json" in request.headers.get("accept", "")


@bp.get("/<code:str>")
@doc("Verify a certificate by its code (public; HTML, or JSON on Accept: application/json)",
     "verify", "Each look-up is recorded and told to the holder; rate-limited per IP.")
@returns(VerifyOut, description="a certificate was found (status says which state)")
@returns(VerifyOut, status=404, description="status unknown: no certificate has this code")
@fails((429, "VERIFY_RATE_LIMITED, with Retry-After"))
async def verify_certificate(request: AppRequest, code: str) -> HTTPResponse:
    as_json = wants_json(request)
    verifier = verify.Verifier(ip=client_ip(request),
                               user_agent=request.headers.get("user-agent", ""),
                               via="json" if as_json else "html")
    answer = await verify.verify(code[:64], verifier, request.app.ctx.kv)
    status = 404 if answer["status"] == "unknown" else 200
    if as_json:
        return ok(answer, status=status)
    return html(page.render(answer), status=status,
                headers=id_headers({"Cache-Control": "no-store"}))


@bp.get("/show/<token:str>")
@doc("Check a shown licence (亮证 QR code; public; HTML, or JSON on Accept: application/json)",
     "verify")
@returns(ShownOut)
@fails((429, "VERIFY_RATE_LIMITED, with Retry-After"))
async def verify_shown(request: AppRequest, token: str) -> HTTPResponse:
    await verify.rate_limit(request.app.ctx.kv, client_ip(request))
    answer = await show.check(token[:600], request.app.ctx.edges.licence_library())
    if wants_json(request):
        return ok(answer)
    return html(page.render_shown(answer), headers=id_headers({"Cache-Control": "no-store"}))
