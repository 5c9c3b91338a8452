"""Inbound XML → one ``InboundMessage``; passive replies; keyword and menu routing (pure).

The XML is read into the same dict that wechatpy's ``parse_message`` builds (xmltodict's
shape, ``qrscene_`` subscribe events turned into ``subscribe_scan`` the way wechatpy does it),
but with expat's C parser driven directly: xmltodict's pure-Python SAX handler was the
largest single cost of a callback. ``tests/wechat/test_messages.py`` checks that both give
the same dict for every kind of push. Passive replies are rendered from the template wechatpy's
``TextReply`` uses, with a ``]]>`` in the text kept inside the CDATA section.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from xml.parsers import expat


class MalformedMessage(ValueError):
    pass


@dataclass(frozen=True)
class SubscribeChoice:
    """One template in a subscribe-message event: accepted, rejected or sent."""

    template_id: str
    status: str  # "accept" | "reject" | "sent"
    msg_id: str | None = None
    error_code: str | None = None


@dataclass(slots=True)  # one per callback: not frozen, which costs a setattr per field
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
        """MsgId for messages, sender + CreateTime (+ event) for events, as WeChat advises;
        an event that names a message (a template receipt's MsgID) also by that, since two
        receipts to one user can share a second."""
        if self.msg_type != "event" and self.msg_id:
            return f"msg:{self.msg_id}"
        key = f"evt:{self.openid}:{self.create_time}:{self.event or self.msg_type}"
        return f"{key}:{self.msg_id}" if self.msg_id else key


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


def _refuse_dtd(*_: Any) -> None:
    raise ValueError("DTD and entity declarations are not accepted")  # as xmltodict does


# A push as WeChat writes it: <xml> holding only <Name>text</Name> or <Name><![CDATA[…]]></Name>.
# Line ends that expat would normalise (\r) and control characters it would refuse are left out
# of the character classes, so such a document goes to expat.
_TEXT = r"[^\r\x00-\x08\x0b\x0c\x0e-\x1f"
_FLAT_DOC = re.compile(r"[ \t\n]*<xml>(.*)</xml>[ \t\n]*\Z", re.S)
_FLAT_FIELD = re.compile(
    rf"[ \t\n]*<([A-Za-z_][A-Za-z0-9_.-]*)>(?:<!\[CDATA\[({_TEXT}]*?)\]\]>|({_TEXT}<&]*))</\1>"
)


def _read_flat(xml: str) -> dict[str, Any] | None:
    """The common case without a parser; None for anything else (nesting, entities,
    attributes, comments, a repeated name, a declaration), which expat then reads."""
    doc = _FLAT_DOC.match(xml)
    if doc is None:
        return None
    inner = doc.group(1)
    data: dict[str, Any] = {}
    pos = 0
    while True:
        field = _FLAT_FIELD.match(inner, pos)
        if field is None:
            break
        name, cdata, plain = field.groups()
        text = cdata if cdata is not None else plain
        if name in data or "]]>" in text:  # split CDATA sections, or not XML at all
            return None
        data[name] = text.strip() or None
        pos = field.end()
    return data if data and inner[pos:].strip(" \t\n") == "" else None


def read_xml(xml: str | bytes) -> dict[str, Any]:
    """The document element's children as xmltodict would give them: text (stripped, None
    when empty), a dict for an element with children, a list for a repeated name.
    Attributes are ignored: WeChat's pushes carry none."""
    if isinstance(xml, str):
        flat = _read_flat(xml)
        if flat is not None:
            return flat
    return _read_with_expat(xml)


def _read_with_expat(xml: str | bytes) -> dict[str, Any]:
    parser = expat.ParserCreate()
    parser.buffer_text = True
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    nodes: list[dict[str, Any]] = [{}]
    texts: list[list[str]] = [[]]

    def start(name: str, attrs: dict[str, str]) -> None:
        nodes.append({})
        texts.append([])

    def end(name: str) -> None:
        node = nodes.pop()
        text = "".join(texts.pop()).strip()
        if node:
            if text:
                node["#text"] = text
            value: Any = node
        else:
            value = text or None
        parent = nodes[-1]
        if name not in parent:
            parent[name] = value
        elif isinstance(parent[name], list):
            parent[name].append(value)
        else:
            parent[name] = [parent[name], value]

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = lambda data: texts[-1].append(data)
    parser.Parse(xml, True)
    root = nodes[0]
    if len(root) != 1:
        raise ValueError("no document element")
    document = next(iter(root.values()))
    if not isinstance(document, dict):
        raise ValueError("empty document")
    return document


def _as_wechatpy(data: dict[str, Any]) -> None:
    """wechatpy's rename of scan-to-follow events (``parse_message``)."""
    if str(data.get("MsgType") or "").lower() != "event":
        return
    key = data.get("EventKey")
    if str(data.get("Event") or "").lower() != "subscribe" or not isinstance(key, str):
        return
    if key.startswith(("scanbarcode|", "scanimage|")):
        data["Event"] = "subscribe_scan_product"
    elif key.startswith("qrscene_"):
        data["Event"] = "subscribe_scan"
        data["EventKey"] = key[len("qrscene_") :]


def parse(xml: str | bytes) -> InboundMessage:
    try:
        data = read_xml(xml)
        _as_wechatpy(data)
        openid = str(data["FromUserName"])
        to_user = str(data["ToUserName"])
        create_time = int(data["CreateTime"])
        msg_type = str(data["MsgType"]).lower()
    except (expat.ExpatError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MalformedMessage(str(exc)) from exc
    event = (str(data.get("Event") or "").lower() or None) if msg_type == "event" else None
    msg_id = data.get("MsgId") or data.get("MsgID")
    content = data.get("Content")
    event_key = data.get("EventKey")
    status = data.get("Status")
    return InboundMessage(
        to_user=to_user,
        openid=openid,
        create_time=create_time,
        msg_type=msg_type,
        event=event,
        content=content if isinstance(content, str) else None,
        event_key=event_key if isinstance(event_key, str) and event_key else None,
        msg_id=str(msg_id) if isinstance(msg_id, str) else None,
        status=status if isinstance(status, str) else None,
        choices=_choices(event, data) if event in _SUBSCRIBE_EVENTS else (),
        raw=data,
    )


_TEXT_REPLY = (
    "<xml>\n<ToUserName><![CDATA[{to}]]></ToUserName>\n"
    "<FromUserName><![CDATA[{source}]]></FromUserName>\n"
    "<CreateTime>{time}</CreateTime>\n<MsgType><![CDATA[text]]></MsgType>\n"
    "<Content><![CDATA[{content}]]></Content>\n</xml>"
)


def _cdata(text: str) -> str:
    return text.replace("]]>", "]]]]><![CDATA[>")


def text_reply(msg: InboundMessage, content: str) -> str:
    """Passive text reply XML: To and From swapped."""
    return _TEXT_REPLY.format(
        to=_cdata(msg.openid), source=_cdata(msg.to_user), time=int(time.time()),
        content=_cdata(content),
    )


# ------------------------------------------------------------------ keyword and menu routing


class Intent(StrEnum):
    PROGRESS = "progress"  # 进度 <办件编号>
    GUIDE = "guide"  # 指南 <关键词>
    BIND = "bind"  # 绑定
    MY_CASES = "my_cases"  # menu 我的办件
    CONTACT = "contact"  # menu 联系我们
    RATE = "rate"  # 评价 <办件编号>
    TICKET = "ticket"  # 咨询 / 投诉 / 建议 / 求助 / 举报 <内容>: opens a 12345 ticket
    HELP = "help"


@dataclass(frozen=True)
class Command:
    intent: Intent
    arg: str = ""
    keyword: str = field(default="", compare=False)  # the word asked with (a ticket's type)


MENU_KEYS = {"MY_CASES": Intent.MY_CASES, "GUIDE": Intent.GUIDE, "CONTACT": Intent.CONTACT}
_KEYWORD = re.compile(
    r"^\s*(进度|查询进度|指南|办事指南|绑定|评价|咨询|投诉|建议|求助|举报)\s*[:：]?\s*(.*?)\s*$",
    re.S,
)
_INTENTS = {
    "进度": Intent.PROGRESS,
    "查询进度": Intent.PROGRESS,
    "指南": Intent.GUIDE,
    "办事指南": Intent.GUIDE,
    "绑定": Intent.BIND,
    "评价": Intent.RATE,
    **dict.fromkeys(("咨询", "投诉", "建议", "求助", "举报"), Intent.TICKET),
}
TICKET_TEXT_MAX = 1000
CASE_SCENE_PREFIX = "case_"


def route_text(text: str | None) -> Command:
    match = _KEYWORD.match(text or "")
    if not match:
        return Command(Intent.HELP)
    intent = _INTENTS[match.group(1)]
    limit = TICKET_TEXT_MAX if intent is Intent.TICKET else 64
    return Command(intent, match.group(2)[:limit], match.group(1))


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
