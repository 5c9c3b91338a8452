"""``POST /callbacks/express/<provider>``: tracking pushes, answered in kuaidi100's words.

Verify → store raw → act → acknowledge (``app.shipments.inbound``). Anything not handled is
answered with a failure so the provider pushes again; a forged push is stored as rejected and
changes nothing.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from sanic import Blueprint, HTTPResponse
from sanic.response import json

from app.context import AppRequest
from app.edges import TRACKERS
from app.shipments.inbound import receive_push

bp = Blueprint("express_callbacks", url_prefix="/callbacks/express")

OK = {"result": True, "returnCode": "200", "message": "成功"}


def _failure(code: str, message: str) -> dict[str, object]:
    return {"result": False, "returnCode": code, "message": message}


@bp.post("/<provider:str>")
async def tracking_push(request: AppRequest, provider: str) -> HTTPResponse:
    if provider not in TRACKERS:
        return json(_failure("404", "未知的推送方"), status=404)
    raw = request.body.decode("utf-8", errors="replace")
    # keep every field exactly as sent: the signature covers the raw ``param`` string
    form = dict(parse_qsl(raw, keep_blank_values=True))
    tracker = request.app.ctx.edges.tracker(provider)
    if not await receive_push(tracker, form, raw):
        return json(_failure("500", "处理失败"))
    return json(OK)
