"""Inbound XML → one ``InboundMessage``; passive replies; keyword and menu routing (pure).

Parsing goes through wechatpy's ``parse_message`` (which also turns ``qrscene_`` subscribe
events into ``subscribe_scan``); the subscribe-message events that wechatpy 1.8 does not know
are read from the same parsed dict.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from xml.parsers.expat import ExpatError

from wechatpy.parser import parse_message
from wechatpy.replies import TextReply


class MalformedMessage(ValueError):
    pass


@dataclass(frozen=True)
class SubscribeChoice:
    """One template in a subscribe-message event: accepted, rejected or sent."""

    template_id: str
    status: str  # "accept" | "reject" | "sent"
    msg_id: str | None = None
    error_code: str | None = None


@dataclass(frozen=True)
class InboundMessage:
    to_user: str
    openid: str
    create_time: int
    msg_type: str  # text | image | voice | … | event
    event: str | None = None  # lower case: subscribe, unsubscribe, scan, click, view, …
    content: str | None = None
    event_key: str | None = None  # menu key, URL, or scene (qrscene_ already stripped)
    msg_id: str | None = None
    status: str | None = None
    choices: tuple[SubscribeChoice, ...] = ()
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def dedupe_key(self) -> str:
        """MsgId for messages, sender + CreateTime (+ event) for events, as WeChat advises."""
        if self.msg_type != "event" and self.msg_id:
            return f"msg:{self.msg_id}"
        return f"evt:{self.openid}:{self.create_time}:{self.event or self.msg_type}"


_SUBSCRIBE_EVENTS = {
    "subscribe_msg_popup_event": "SubscribeMsgPopupEvent",
    "subscribe_msg_change_event": "SubscribeMsgChangeEvent",
    "subscribe_msg_sent_event": "SubscribeMsgSentEvent",
}


def _choices(event: str, data: dict[str, Any]) -> tuple[SubscribeChoice, ...]:
    container = data.get(_SUBSCRIBE_EVENTS[event]) or {}
    items = container.get("List") if isinstance(container, dict) else None
    if isinstance(items, dict):
        items = [items]
    out = []
    for item in items or []:
        if not isinstance(item, dict) or not item.get("TemplateId"):
            continue
        status = (
            "sent"
            if event == "subscribe_msg_sent_event"
            else str(item.get("SubscribeStatusString") or "").lower()
        )
        out.append(
            SubscribeChoice(
                template_id=str(item["TemplateId"]),
                status=status,
                msg_id=item.get("MsgID"),
                error_code=item.get("ErrorCode"),
            )
        )
    return tuple(out)


def parse(xml: str | bytes) -> InboundMessage:
    try:
        parsed = parse_message(xml)
        data: dict[str, Any] = parsed._data  # wechatpy keeps the parsed dict here
        openid = str(data["FromUserName"])
        to_user = str(data["ToUserName"])
        create_time = int(data["CreateTime"])
        msg_type = str(data["MsgType"]).lower()
    except (ExpatError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MalformedMessage(str(exc)) from exc
    event = (str(data.get("Event") or "").lower() or None) if msg_type == "event" else None
    msg_id = data.get("MsgId") or data.get("MsgID")
    return InboundMessage(
        to_user=to_user,
        openid=openid,
        create_time=create_time,
        msg_type=msg_type,
        event=event,
        content=data.get("Content"),
        event_key=data.get("EventKey") or None,
        msg_id=str(msg_id) if msg_id else None,
        status=data.get("Status"),
        choices=_choices(event, data) if event in _SUBSCRIBE_EVENTS else (),
        raw=data,
    )


def text_reply(msg: InboundMessage, content: str) -> str:
    """Passive text reply XML: To and From swapped."""
    reply = TextReply(source=msg.to_user, target=msg.openid, content=content, time=int(time.time()))
    return reply.render()


# ------------------------------------------------------------------ keyword and menu routing


class Intent(StrEnum):
    PROGRESS = "progress"  # 进度 <办件编号>
    GUIDE = "guide"  # 指南 <关键词>
    BIND = "bind"  # 绑定
    MY_CASES = "my_cases"  # menu 我的办件
    CONTACT = "contact"  # menu 联系我们
    HELP = "help"


@dataclass(frozen=True)
class Command:
    intent: Intent
    arg: str = ""


MENU_KEYS = {"MY_CASES": Intent.MY_CASES, "GUIDE": Intent.GUIDE, "CONTACT": Intent.CONTACT}
_KEYWORD = re.compile(r"^\s*(进度|查询进度|指南|办事指南|绑定)\s*[:：]?\s*(.*?)\s*$", re.S)
_INTENTS = {
    "进度": Intent.PROGRESS,
    "查询进度": Intent.PROGRESS,
    "指南": Intent.GUIDE,
    "办事指南": Intent.GUIDE,
    "绑定": Intent.BIND,
}
CASE_SCENE_PREFIX = "case_"


def route_text(text: str | None) -> Command:
    match = _KEYWORD.match(text or "")
    if not match:
        return Command(Intent.HELP)
    return Command(_INTENTS[match.group(1)], match.group(2)[:64])


def route_click(key: str | None) -> Command:
    return Command(MENU_KEYS.get((key or "").upper(), Intent.HELP))


def route_scene(scene: str | None) -> Command | None:
    """A parametric QR code: ``case_<办件编号>`` (printed on the acceptance notice) or ``bind``."""
    if not scene:
        return None
    if scene.startswith(CASE_SCENE_PREFIX) and len(scene) > len(CASE_SCENE_PREFIX):
        return Command(Intent.PROGRESS, scene[len(CASE_SCENE_PREFIX) :][:64])
    if scene == "bind":
        return Command(Intent.BIND)
    return None
