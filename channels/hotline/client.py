"""Client of the 12345 hotline system: believe its signed callbacks, send our replies."""

from __future__ import annotations

import aiohttp

from app.kv import KeyValue
from app.settings import Settings
from app.tickets.hotline import CallbackRefused, HotlineReply, ReplyReceipt, Verified
from channels import govsign
from channels.hotline import messages
from channels.hotline.errors import CODES, HotlineCode

KEPT_HEADERS = frozenset(h.lower() for h in (govsign.APPID, govsign.TIMESTAMP, govsign.NONCE,
                                             "Content-Type", "User-Agent"))


class HotlineClient:
    def __init__(self, settings: Settings, http: aiohttp.ClientSession) -> None:
        self.base = settings.hotline_api_base.rstrip("/")
        self.appid = settings.hotline_app_id
        self.peer_id = settings.hotline_peer_id
        self.secret = settings.hotline_secret.get_secret_value()
        self.http = http

    def verify_callback(self, method: str, path: str, headers: dict[str, str], body: bytes
                        ) -> Verified:
        try:
            signed = govsign.verify(headers, method, path, body, appid=self.peer_id,
                                    secret=self.secret)
        except govsign.StaleRequest as exc:
            raise CallbackRefused(str(exc), code=HotlineCode.STALE, status=401) from exc
        except govsign.SignatureError as exc:
            raise CallbackRefused(str(exc), code=HotlineCode.BAD_SIGNATURE, status=401) from exc
        kept = {k.lower(): v for k, v in headers.items() if k.lower() in KEPT_HEADERS}
        return Verified(messages.parse(body), signed.nonce, kept)

    async def send_reply(self, reply: HotlineReply) -> ReplyReceipt:
        data = await govsign.post_signed(
            self.http, self.base, messages.reply_path(reply.ticket_no), messages.reply_body(reply),
            appid=self.appid, secret=self.secret, key=reply.key, system="12345 system")
        CODES.raise_for(data)
        answer = govsign.answer_data(data)
        return ReplyReceipt(str(answer.get("receiptNo") or ""), bool(answer.get("duplicate")))


def build(settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> HotlineClient:
    return HotlineClient(settings, http)
