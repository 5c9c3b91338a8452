"""EMS-style booking client: order a delivery waybill or a pick-up (上门揽收).

The wire shape follows the common Chinese courier open-API envelope (SF 丰桥 style, see the
protocols reference): form ``partnerID, requestID, serviceCode, timestamp, msgDigest, msgData``
with ``msgDigest = Base64(MD5(urlencode(msgData + timestamp + checkWord)))`` and an answer
``{"apiResultCode": "A1000", "apiResultData": "<JSON string>"}``. ``orderId`` is our idempotency
key: ordering the same id twice answers the same waybill.
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote_plus

import aiohttp

from app.kv import KeyValue
from app.settings import Settings
from channels.express.errors import CarrierError, CarrierRetryable

CREATE_ORDER = "EXP_RECE_CREATE_ORDER"
CANCEL_ORDER = "EXP_RECE_UPDATE_ORDER"
TRACKING_COMPANY = "ems"  # the carrier's code at kuaidi100


def msg_digest(msg_data: str, timestamp: str, check_word: str) -> str:
    # Java URLEncoder semantics: space → "+", "*-._" unescaped (quote_plus keeps "~" too)
    encoded = quote_plus(msg_data + timestamp + check_word, safe="*").replace("~", "%7E")
    digest = hashlib.md5(encoded.encode("utf-8"), usedforsecurity=False).digest()
    return base64.b64encode(digest).decode()


class Contact(Protocol):
    name: str
    phone: str
    address: str


@dataclass(frozen=True)
class Party:
    name: str
    phone: str
    address: str
    province: str = ""
    city: str = ""


@dataclass(frozen=True)
class Booking:
    order_id: str
    waybill_no: str
    company: str = TRACKING_COMPANY


class CarrierClient:
    company = TRACKING_COMPANY

    def __init__(
        self, http: aiohttp.ClientSession, *, api_base: str, partner_id: str, check_word: str
    ) -> None:
        self.http = http
        self.api_base = api_base.rstrip("/")
        self.partner_id = partner_id
        self.check_word = check_word

    async def _call(self, service: str, data: dict[str, Any]) -> dict[str, Any]:
        msg = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        ts = str(int(time.time() * 1000))
        form = {
            "partnerID": self.partner_id,
            "requestID": uuid.uuid4().hex,
            "serviceCode": service,
            "timestamp": ts,
            "msgDigest": msg_digest(msg, ts, self.check_word),
            "msgData": msg,
        }
        try:
            async with self.http.post(self.api_base + "/std/service", data=form) as resp:
                if resp.status >= 500:
                    raise CarrierRetryable(f"HTTP {resp.status}", code=str(resp.status))
                envelope = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise CarrierRetryable(f"carrier unreachable: {exc!r}") from exc
        if not isinstance(envelope, dict):
            raise CarrierRetryable("carrier answered no envelope")
        code = str(envelope.get("apiResultCode") or "")
        if code != "A1000":
            err = CarrierRetryable if code in ("A1002", "A1099") else CarrierError
            raise err(str(envelope.get("apiErrorMsg") or "下单失败"), code=code, raw=envelope)
        try:
            result = json.loads(envelope.get("apiResultData") or "{}")
            ok, data = bool(result.get("success")), dict(result.get("msgData") or {})
        except (ValueError, TypeError, AttributeError) as exc:
            raise CarrierError("carrier answered unreadable apiResultData") from exc
        if not ok:
            raise CarrierError(
                str(result.get("errorMsg") or "下单失败"), code=result.get("errorCode")
            )
        return data

    async def book(
        self, order_id: str, *, sender: Contact, receiver: Contact, pickup: bool, cargo: str
    ) -> Booking:
        """Order a waybill; ``pickup`` asks the courier to collect from the sender (上门揽收)."""
        contacts = [
            {
                "contactType": kind,
                "contact": p.name,
                "tel": p.phone,
                "address": p.address,
                "province": getattr(p, "province", ""),
                "city": getattr(p, "city", ""),
                "country": "CN",
            }
            for kind, p in ((1, sender), (2, receiver))
        ]
        data = {
            "language": "zh-CN",
            "orderId": order_id,
            "expressTypeId": 1,
            "isDocall": 1 if pickup else 0,
            "contactInfoList": contacts,
            "cargoDetails": [{"name": cargo, "count": 1}],
        }
        out = await self._call(CREATE_ORDER, data)
        waybills = out.get("waybillNoInfoList") or []
        first = waybills[0] if isinstance(waybills, list) and waybills else None
        if not isinstance(first, dict) or not first.get("waybillNo"):
            raise CarrierError("承运商未返回运单号")
        return Booking(order_id=order_id, waybill_no=str(first["waybillNo"]))

    async def cancel(self, order_id: str) -> None:
        await self._call(CANCEL_ORDER, {"orderId": order_id, "dealType": 2})


def build(settings: Settings, http: aiohttp.ClientSession, kv: KeyValue) -> CarrierClient:
    return CarrierClient(
        http,
        api_base=settings.carrier_api_base,
        partner_id=settings.carrier_partner_id,
        check_word=settings.carrier_check_word.get_secret_value(),
    )
