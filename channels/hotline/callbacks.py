"""``POST /callbacks/hotline``: the 12345 system's dispatches and return-call verdicts.

Verify → record → act → answer in the hotline's own words (``{"code": "0", …}``); the
handling is the core's (``app.tickets.hotline_in``). A body larger than any dispatch is
refused before anything is read into the database.
"""

from __future__ import annotations

from sanic import Blueprint, HTTPResponse
from sanic.response import json

from app.context import AppRequest
from app.tickets import hotline_in

bp = Blueprint("hotline_callbacks")
MAX_BODY_BYTES = 64 * 1024


@bp.post("/callbacks/hotline")
async def hotline_callback(request: AppRequest) -> HTTPResponse:
    if len(request.body) > MAX_BODY_BYTES:
        return json({"code": "2001", "message": "报文过大"}, status=413)
    answer = await hotline_in.receive(
        request.app.ctx.edges.hotline(), request.app.ctx.kv, request.method, request.path,
        dict(request.headers), request.body)
    return json(answer.body(), status=answer.status, ensure_ascii=False)
