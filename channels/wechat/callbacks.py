"""``GET`` / ``POST /callbacks/wechat``: the official account's server callback.

Verify → record → act → acknowledge. What is recorded is the push as WeChat meant it: the
decrypted XML in safe mode (sealed with our own PII key like any personal data, so it stays
readable after the account's EncodingAESKey is changed), the body itself otherwise.
Plain, compatible and safe mode (``encrypt_type=aes``)
are all accepted; a safe-mode request is answered encrypted. WeChat waits 5 s and retries 3
times, so the answer is bounded in time and a retry (same ``dedupe_key``) changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from urllib.parse import unquote_plus

from sanic import Blueprint, HTTPResponse
from sanic.response import text

from app.context import AppRequest
from app.settings import Settings
from channels.wechat import inbound, store
from channels.wechat.crypto import CallbackCrypto, check_signature
from channels.wechat.errors import CallbackSignatureError, WeChatCallbackError
from channels.wechat.messages import MalformedMessage, parse, text_reply
from channels.wechat.recorder import InboundRecorder

log = logging.getLogger("zsb.wechat")
bp = Blueprint("wechat_callbacks")

ANSWER_BUDGET_SECONDS = 4.5  # WeChat gives up after 5 s: acting and replying both fit in
# The plain-mode signature covers token, timestamp and nonce but not the body, so a signed query
# string seen once could carry any forged body later: only fresh timestamps are believed, and a
# query signature already recorded with one push is refused with another (a safe-mode URL with
# ``encrypt_type`` stripped is such a query too: its ``signature`` is recorded as well).
MAX_CLOCK_SKEW_SECONDS = 300
MAX_BODY_BYTES = 64 * 1024  # WeChat's pushes are a few KiB; anything larger is not WeChat
SUCCESS = "success"


def _forbidden() -> HTTPResponse:
    return HTTPResponse(status=403)


def _query(request: AppRequest) -> dict[str, str]:
    """The query's first value per name. WeChat's parameters are plain tokens (hex, digits,
    openids), so this is a split, with unquoting only where a value needs it; Sanic's
    ``request.args`` (``parse_qs``) cost four times as much on every callback."""
    out: dict[str, str] = {}
    for part in request.query_string.split("&"):
        name, _, value = part.partition("=")
        if "%" in part or "+" in part:
            name, value = unquote_plus(name), unquote_plus(value)
        out.setdefault(name, value)
    return out


def _verified(q: dict[str, str], settings: Settings) -> bool:
    return check_signature(
        settings.wechat_token.get_secret_value(),
        q.get("signature", ""),
        q.get("timestamp", ""),
        q.get("nonce", ""),
    )


@bp.get("/callbacks/wechat")
async def verify_url(request: AppRequest) -> HTTPResponse:
    """URL verification when the server address is configured: echo ``echostr``."""
    q = _query(request)
    if not _verified(q, request.app.ctx.settings):
        return _forbidden()
    return text(q.get("echostr", ""))


@dataclass(frozen=True)
class CallbackState:
    """One per worker, opened with the app's other resources (``app/context.py``): the cipher
    setup of safe mode is not free, and the recorder batches the worker's callbacks."""

    crypto: CallbackCrypto | None  # None: no EncodingAESKey set, plain mode only
    recorder: InboundRecorder


def build_state(settings: Settings, http: object, kv: object) -> CallbackState:
    crypto = None
    if settings.wechat_aes_key is not None:
        crypto = CallbackCrypto(
            settings.wechat_token.get_secret_value(),
            settings.wechat_aes_key.get_secret_value(),
            settings.wechat_appid,
        )
    return CallbackState(crypto, InboundRecorder())


def _text(xml: str | bytes) -> str:
    return xml if isinstance(xml, str) else xml.decode("utf-8", errors="replace")


def _fresh(timestamp: str) -> bool:
    try:
        return abs(time.time() - int(timestamp)) <= MAX_CLOCK_SKEW_SECONDS
    except ValueError:
        return False


@bp.post("/callbacks/wechat")
async def receive(request: AppRequest) -> HTTPResponse:
    deadline = asyncio.get_running_loop().time() + ANSWER_BUDGET_SECONDS
    settings: Settings = request.app.ctx.settings
    q = _query(request)
    safe = q.get("encrypt_type", "raw") == "aes"
    state = request.app.ctx.wechat
    crypto = state.crypto if safe else None
    # In safe mode msg_signature, checked with the decryption, covers token, timestamp, nonce
    # and the body (WeChat's own WXBizMsgCrypt checks only it); otherwise the query signature.
    if crypto is None and not _verified(q, settings):
        return _forbidden()
    # every signature covers the timestamp, and nothing old is believed (in safe mode a replayed
    # body would only be a duplicate; in plain mode the signature covers no body at all)
    if not _fresh(q.get("timestamp", "")):
        log.warning("wechat callback refused: stale timestamp (replay?)")
        return _forbidden()
    if len(request.body) > MAX_BODY_BYTES:
        log.warning("wechat callback refused: body too large", extra={"size": len(request.body)})
        return HTTPResponse(status=413)
    # compatible mode carries the plaintext fields beside ``Encrypt``; both are answered encrypted
    mode = ("compat" if b"<MsgType>" in request.body else "aes") if safe else "plain"
    if safe and crypto is None:
        log.error("safe-mode callback but ZSB_WECHAT_AES_KEY is not set")
        return text(SUCCESS)
    xml: str | bytes = request.body
    if crypto is not None:
        try:
            xml = crypto.decrypt_body(
                request.body, q.get("msg_signature", ""), q.get("timestamp", ""), q.get("nonce", "")
            )
        except CallbackSignatureError:
            log.warning("wechat callback refused: bad msg_signature")
            return _forbidden()
        except WeChatCallbackError as exc:
            # signed by someone holding our token, but not decryptable for this appid
            log.warning("wechat callback not decrypted: %s", exc)
            return text(SUCCESS)
    try:
        msg = parse(xml)
    except MalformedMessage:
        log.warning("malformed wechat callback recorded")
        await store.record_malformed(mode, _text(xml))
        return text(SUCCESS)

    signature = q.get("signature", "")
    if not safe and await store.signature_used_elsewhere(
        signature, int(q["timestamp"]), MAX_CLOCK_SKEW_SECONDS, msg
    ):
        log.warning("wechat callback refused: a signed query reused with another push")
        return _forbidden()
    new = await store.record_inbound(msg, mode, _text(xml), state.recorder, signature)
    # a push that changes state is marked handled once acted on: a retry of one whose first
    # handling failed, took too long or never finished (the process died in between) is acted
    # on again
    if inbound.changes_state(msg) and (new or await store.unhandled(msg)):
        try:
            async with asyncio.timeout_at(deadline):
                await inbound.act(msg, settings)
                await store.mark_handled(msg)
        except TimeoutError:
            log.warning("wechat callback not acted on in time", extra={"event": msg.event})
            return HTTPResponse(status=503)  # WeChat retries
        except Exception:
            log.exception("wechat callback action failed", extra={"event": msg.event})
            return HTTPResponse(status=503)
    answer = inbound.immediate_reply(msg)
    if answer is ...:
        try:
            async with asyncio.timeout_at(deadline):
                answer = await inbound.reply(msg, settings)
        except TimeoutError:
            log.warning("wechat reply took too long; answered success")
            answer = None
    if not answer:
        return text(SUCCESS)
    xml_reply = text_reply(msg, answer)
    if crypto is not None:
        xml_reply = crypto.encrypt_reply(xml_reply, nonce=q.get("nonce") or None)
    return HTTPResponse(xml_reply, content_type="application/xml; charset=utf-8")

