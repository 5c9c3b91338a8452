"""kuaidi100 signing, state codes and push/query parsing — no HTTP here.

Protocol: https://api.kuaidi100.com/document/ (订阅推送, 实时查询) and the vendor's demos
(kuaidi100-api/java-demo ``SubscribePushParamResp``, python-demo ``subscribe.py``). Signatures
cover the raw ``param`` string byte for byte, so it is never re-serialized before checking.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.interfaces import TrackingEvent, TrackingUpdate
from channels.express.errors import CallbackRejected

log = logging.getLogger("zsb.express")

SHANGHAI = ZoneInfo("Asia/Shanghai")

# lastResult.state → our shipment state (models/express.py: ShipmentState)
STATE_MAP: dict[str, str] = {
    "0": "in_transit",  # 在途
    "1": "collected",  # 揽收
    "2": "trouble",  # 疑难
    "3": "signed",  # 签收
    "4": "returned",  # 退签: back with the sender
    "5": "out_for_delivery",  # 派件
    "6": "returning",  # 退回: on the way back
    "7": "in_transit",  # 转投
    "8": "in_transit",  # 清关 (older docs)
    "10": "in_transit",  # 待清关
    "11": "in_transit",  # 清关中
    "12": "in_transit",  # 已清关
    "13": "trouble",  # 清关异常
    "14": "refused",  # 拒签
}
# resultv2=1 puts a Chinese status name on every trace line
STATUS_NAMES: dict[str, str] = {
    "在途": "in_transit",
    "揽收": "collected",
    "疑难": "trouble",
    "签收": "signed",
    "退签": "returned",
    "派件": "out_for_delivery",
    "退回": "returning",
    "转投": "in_transit",
    "转单": "in_transit",
    "拒签": "refused",
}


def md5_upper(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest().upper()


def callback_sign(param: str, salt: str) -> str:
    return md5_upper(param + salt)


def query_sign(param: str, key: str, customer: str) -> str:
    return md5_upper(param + key + customer)


def map_state(code: str | int | None) -> str | None:
    if code is None or str(code) == "":
        return None
    code = str(code)
    if code in STATE_MAP:
        return STATE_MAP[code]
    # resultv2=4 sub-states: 101 → 1, 501 → 5, 1001 → 10
    if code.isdigit() and len(code) >= 3:
        return STATE_MAP.get(code[:-2], "in_transit")
    return "in_transit"


def parse_time(text: str) -> datetime:
    """kuaidi100 times are Beijing wall-clock strings, ``2026-11-20 10:05:00``."""
    return (
        datetime.strptime(text.strip(), "%Y-%m-%d %H:%M:%S")
        .replace(tzinfo=SHANGHAI)
        .astimezone(ZoneInfo("UTC"))
    )


def parse_events(items: list[dict[str, Any]]) -> list[TrackingEvent]:
    """The trace lines that parse; a line that does not (no time, another time format) is
    logged and skipped, so one bad line never keeps the rest of the waybill out."""
    events = []
    for item in items:
        try:
            events.append(_event(item))
        except (KeyError, TypeError, ValueError, AttributeError):
            log.warning("kuaidi100 trace line skipped: not understood")
    # newest first on the wire; oldest first for us
    events.sort(key=lambda e: e.time)
    return events


def _event(item: dict[str, Any]) -> TrackingEvent:
    raw_state = str(item.get("statusCode") or "") or None
    state = map_state(raw_state) or STATUS_NAMES.get(str(item.get("status") or ""), "in_transit")
    return TrackingEvent(
        time=parse_time(str(item.get("ftime") or item["time"])),
        context=str(item.get("context") or "").strip(),
        state=state,
        area=item.get("areaName") or None,
        raw_state=raw_state or (str(item["status"]) if item.get("status") else None),
    )


def parse_result(result: dict[str, Any], *, status: str, message: str | None) -> TrackingUpdate:
    raw_state = result.get("state")
    return TrackingUpdate(
        carrier=str(result.get("com") or ""),
        waybill_no=str(result.get("nu") or ""),
        status=status,
        state=map_state(raw_state),
        events=parse_events(list(result.get("data") or [])),
        message=message,
    )


def verify_push(form: dict[str, str], salt: str) -> TrackingUpdate:
    """Check ``sign`` over the raw ``param`` and parse it; raise ``CallbackRejected`` if not."""
    param = form.get("param")
    sign = form.get("sign") or ""
    if not param:
        raise CallbackRejected("missing param", code="no_param")
    expected = callback_sign(param, salt)
    if not hmac.compare_digest(expected.encode(), sign.strip().upper().encode()):
        raise CallbackRejected("bad signature", code="bad_sign")
    try:
        body = json.loads(param)
        last = body.get("lastResult") or {}
        update = parse_result(
            last, status=str(body.get("status") or ""), message=body.get("message")
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CallbackRejected(f"malformed param: {exc}", code="malformed") from exc
    if not update.waybill_no:
        raise CallbackRejected("no waybill number", code="malformed")
    return update
