"""kuaidi100 tracking client: poll subscription, push verification, real-time query.

Implements ``app.interfaces.Tracker``. Docs: https://api.kuaidi100.com/document/ (订阅推送,
实时查询). Subscribe carries the ``key`` inside ``param`` and no signature; the push is signed
with our ``salt``; the query is signed with ``key`` and ``customer``.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import aiohttp

from app.interfaces import TrackingUpdate
from app.kv import KeyValue
from app.settings import Settings
from channels.express import kuaidi100_proto as proto
from channels.express.errors import (
    RETRYABLE_QUERY,
    RETRYABLE_SUBSCRIBE,
    Kuaidi100Error,
    Kuaidi100Retryable,
    QueryCode,
    SubscribeCode,
    kuaidi100_error,
)

log = logging.getLogger(__name__)

CALLBACK_PATH = "/callbacks/express/kuaidi100"


class Kuaidi100Tracker:
    provider = "kuaidi100"

    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        api_base: str,
        key: str,
        customer: str,
        salt: str,
        callback_url: str,
    ) -> None:
        self.http = http
        self.api_base = api_base.rstrip("/")
        self.key = key
        self.customer = customer
        self.salt = salt
        self.callback_url = callback_url

    async def _post(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        try:
            async with self.http.post(self.api_base + path, data=form) as resp:
                text = await resp.text()
                if resp.status >= 500:
                    raise Kuaidi100Retryable(f"HTTP {resp.status}", code=str(resp.status))
                if resp.status >= 400:
                    raise Kuaidi100Error(f"HTTP {resp.status}", code=str(resp.status))
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise Kuaidi100Retryable(f"kuaidi100 unreachable: {exc!r}") from exc
        try:
            return json.loads(text)
        except ValueError as exc:
            raise Kuaidi100Retryable("kuaidi100 answered no JSON") from exc

    async def subscribe(self, carrier: str, waybill_no: str, phone: str | None) -> None:
        """POST /poll ``schema=json&param=…``; a duplicate subscription (501) counts as done."""
        param = {
            "company": carrier,
            "number": waybill_no,
            "from": "",
            "to": "",
            "key": self.key,
            "parameters": {
                "callbackurl": self.callback_url,
                "salt": self.salt,
                "resultv2": "1",
                "autoCom": "0",
                "interCom": "0",
                "phone": phone or "",
            },
        }
        form = {"schema": "json", "param": json.dumps(param, ensure_ascii=False)}
        answer = await self._post("/poll", form)
        code = str(answer.get("returnCode") or "")
        if answer.get("result") is True or code in (SubscribeCode.OK, SubscribeCode.DUPLICATE):
            log.info("kuaidi100 subscribed", extra={"carrier": carrier, "code": code})
            return
        message = str(answer.get("message") or "订阅失败")
        raise kuaidi100_error(code, message, answer, retryable=RETRYABLE_SUBSCRIBE)

    def verify_callback(self, form: dict[str, str]) -> TrackingUpdate:
        return proto.verify_push(form, self.salt)

    async def query(self, carrier: str, waybill_no: str, phone: str | None) -> TrackingUpdate:
        """POST /poll/query.do, signed ``upper(MD5(param + key + customer))``."""
        param = json.dumps(
            {
                "com": carrier,
                "num": waybill_no,
                "phone": phone or "",
                "from": "",
                "to": "",
                "resultv2": "1",
                "show": "0",
                "order": "desc",
            },
            separators=(",", ":"),
            ensure_ascii=False,
        )
        form = {
            "customer": self.customer,
            "param": param,
            "sign": proto.query_sign(param, self.key, self.customer),
        }
        answer = await self._post("/poll/query.do", form)
        if answer.get("result") is False or "data" not in answer:
            code = str(answer.get("returnCode") or "")
            if code == QueryCode.NO_RESULT:
                return TrackingUpdate(carrier, waybill_no, "query", None, [], answer.get("message"))
            message = str(answer.get("message") or "查询失败")
            raise kuaidi100_error(code, message, answer, retryable=RETRYABLE_QUERY)
        answer.setdefault("com", carrier)
        answer.setdefault("nu", waybill_no)
        return proto.parse_result(answer, status="query", message=answer.get("message"))


def build(settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> Kuaidi100Tracker:
    return Kuaidi100Tracker(
        http,
        api_base=settings.kuaidi100_api_base,
        key=settings.kuaidi100_key.get_secret_value(),
        customer=settings.kuaidi100_customer,
        salt=settings.kuaidi100_salt.get_secret_value(),
        callback_url=settings.public_base_url.rstrip("/") + CALLBACK_PATH,
    )
