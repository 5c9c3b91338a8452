"""Parsing inbound XML, passive replies and keyword routing (no I/O)."""

from __future__ import annotations

import pytest
import xmltodict

from channels.wechat.messages import (
    Command,
    Intent,
    MalformedMessage,
    parse,
    route_click,
    route_scene,
    route_text,
    text_reply,
)
from sandbox.wechat import proto

HEAD = (
    "<ToUserName><![CDATA[gh_x]]></ToUserName><FromUserName><![CDATA[oUSER]]></FromUserName>"
    "<CreateTime>1395658920</CreateTime>"
)


def _event(event: str, extra: str = "") -> str:
    body = f"<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[{event}]]></Event>{extra}"
    return f"<xml>{HEAD}{body}</xml>"


def test_text_message() -> None:
    msg = parse(proto.build_text("oABC", "进度 202611220000017", msg_id="1234567890123456"))
    assert (msg.msg_type, msg.openid, msg.content) == ("text", "oABC", "进度 202611220000017")
    assert msg.dedupe_key == "msg:1234567890123456"


def test_subscribe_with_qrscene_strips_prefix() -> None:
    msg = parse(
        _event("subscribe", "<EventKey><![CDATA[qrscene_case_GA1]]></EventKey><Ticket>T</Ticket>")
    )
    assert (msg.event, msg.event_key) == ("subscribe_scan", "case_GA1")
    assert msg.dedupe_key == "evt:oUSER:1395658920:subscribe_scan"


def test_plain_subscribe_unsubscribe_scan_click_view() -> None:
    assert parse(_event("subscribe")).event == "subscribe"
    assert parse(_event("unsubscribe", "<EventKey><![CDATA[]]></EventKey>")).event_key is None
    scan = parse(_event("SCAN", "<EventKey><![CDATA[case_9]]></EventKey>"))
    assert (scan.event, scan.event_key) == ("scan", "case_9")
    assert (
        parse(_event("CLICK", "<EventKey><![CDATA[MY_CASES]]></EventKey>")).event_key == "MY_CASES"
    )
    assert parse(_event("VIEW", "<EventKey><![CDATA[https://x]]></EventKey>")).event == "view"


def test_template_receipt() -> None:
    msg = parse(
        _event(
            "TEMPLATESENDJOBFINISH",
            "<MsgID>200163836</MsgID><Status><![CDATA[failed:user block]]></Status>",
        )
    )
    assert (msg.event, msg.msg_id, msg.status) == (
        "templatesendjobfinish",
        "200163836",
        "failed:user block",
    )
    assert msg.dedupe_key.startswith("evt:oUSER:1395658920")


def test_subscribe_message_events() -> None:
    popup = parse(
        proto.build_event(
            "oU",
            "subscribe_msg_popup_event",
            templates=[{"id": "T1", "status": "accept"}, {"id": "T2", "status": "reject"}],
        )
    )
    assert [(c.template_id, c.status) for c in popup.choices] == [
        ("T1", "accept"),
        ("T2", "reject"),
    ]
    change = parse(
        proto.build_event(
            "oU", "subscribe_msg_change_event", templates=[{"id": "T1", "status": "reject"}]
        )
    )
    assert [(c.template_id, c.status) for c in change.choices] == [("T1", "reject")]
    sent = parse(
        proto.build_event("oU", "subscribe_msg_sent_event", templates=[{"id": "T1", "msg_id": "9"}])
    )
    assert sent.choices[0].status == "sent" and sent.choices[0].msg_id == "9"


@pytest.mark.parametrize(
    "xml", ["", "<xml>", "not xml", "<xml><MsgType>text</MsgType></xml>", "<a/>"]
)
def test_malformed(xml: str) -> None:
    with pytest.raises(MalformedMessage):
        parse(xml)


def test_entities_are_not_expanded() -> None:
    bomb = '<!DOCTYPE x [<!ENTITY a "aaaa">]><xml><ToUserName>&a;</ToUserName></xml>'
    with pytest.raises(MalformedMessage):
        parse(bomb)


def test_text_reply_swaps_sender_and_receiver() -> None:
    msg = parse(proto.build_text("oABC", "hi"))
    reply = xmltodict.parse(text_reply(msg, "您好 <b>&"))["xml"]
    assert (reply["ToUserName"], reply["FromUserName"]) == ("oABC", proto.ORIGINAL_ID)
    assert (reply["MsgType"], reply["Content"]) == ("text", "您好 <b>&")


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("进度 202611220000017", Command(Intent.PROGRESS, "202611220000017")),
        ("进度202611220000017", Command(Intent.PROGRESS, "202611220000017")),
        ("  进度：GA-1  ", Command(Intent.PROGRESS, "GA-1")),
        ("进度", Command(Intent.PROGRESS, "")),
        ("指南 身份证", Command(Intent.GUIDE, "身份证")),
        ("办事指南 居住证", Command(Intent.GUIDE, "居住证")),
        ("绑定", Command(Intent.BIND, "")),
        ("你好", Command(Intent.HELP, "")),
        (None, Command(Intent.HELP, "")),
    ],
)
def test_route_text(text: str | None, command: Command) -> None:
    assert route_text(text) == command


def test_route_click_and_scene() -> None:
    assert route_click("MY_CASES").intent is Intent.MY_CASES
    assert route_click("CONTACT").intent is Intent.CONTACT
    assert route_click("GUIDE").intent is Intent.GUIDE
    assert route_click("???").intent is Intent.HELP
    assert route_scene("case_202611220000017") == Command(Intent.PROGRESS, "202611220000017")
    assert route_scene("bind") == Command(Intent.BIND)
    assert route_scene("case_") is None and route_scene(None) is None and route_scene("x") is None


# --------------------------------------------- the same reading as wechatpy's parse_message

_CORPUS = [
    proto.build_text("oABC", "进度 202611220000017", msg_id="1234567890123456"),
    proto.build_text("oABC", "  带空格 <b>&amp; ]]> 的文字  "),
    _event("subscribe"),
    _event("subscribe", "<EventKey><![CDATA[qrscene_case_GA1]]></EventKey><Ticket>T</Ticket>"),
    _event("subscribe", "<EventKey><![CDATA[scanbarcode|x]]></EventKey>"),
    _event("unsubscribe", "<EventKey><![CDATA[]]></EventKey>"),
    _event("SCAN", "<EventKey><![CDATA[case_9]]></EventKey><Ticket>T</Ticket>"),
    _event("CLICK", "<EventKey><![CDATA[MY_CASES]]></EventKey>"),
    _event("VIEW", "<EventKey><![CDATA[https://x/?a=1&amp;b=2]]></EventKey>"),
    _event("LOCATION", "<Latitude>23.137466</Latitude><Longitude>113.352425</Longitude>"),
    _event("TEMPLATESENDJOBFINISH", "<MsgID>200163836</MsgID><Status><![CDATA[success]]></Status>"),
    proto.build_event(
        "oU", "subscribe_msg_popup_event",
        templates=[{"id": "T1", "status": "accept"}, {"id": "T2", "status": "reject"}],
    ),
    proto.build_event("oU", "subscribe_msg_change_event", templates=[{"id": "T1"}]),
    proto.build_event("oU", "subscribe_msg_sent_event", templates=[{"id": "T1", "msg_id": "9"}]),
    f"<xml>{HEAD}<MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[http://p]]></PicUrl>"
    "<MediaId><![CDATA[m]]></MediaId><MsgId>1</MsgId></xml>",
    f"<xml>\n  {HEAD}\n  <MsgType>location</MsgType><Location_X>23.1</Location_X>\n"
    "  <Label><![CDATA[位置]]></Label><MsgId>2</MsgId>\n</xml>",
]


@pytest.mark.parametrize("xml", _CORPUS)
def test_reads_what_wechatpy_reads(xml: str) -> None:
    from wechatpy.parser import parse_message

    for form in (xml, xml.encode()):
        assert parse(form).raw == dict(parse_message(xml)._data)


def test_text_reply_matches_wechatpy() -> None:
    from wechatpy.replies import TextReply

    msg = parse(proto.build_text("oABC", "hi"))
    ours = xmltodict.parse(text_reply(msg, "您好 <b>&"))["xml"]
    theirs = xmltodict.parse(
        TextReply(source=msg.to_user, target=msg.openid, content="您好 <b>&").render()
    )["xml"]
    ours.pop("CreateTime"), theirs.pop("CreateTime")
    assert ours == theirs


def test_text_reply_keeps_cdata_end_inside() -> None:
    msg = parse(proto.build_text("oABC", "hi"))
    assert xmltodict.parse(text_reply(msg, "a]]>b"))["xml"]["Content"] == "a]]>b"


def test_flat_reading_matches_expat_and_wechatpy() -> None:
    """The parser-free path for flat pushes reads exactly what expat (and wechatpy) read;
    random flat documents, with the characters that make it hand over to expat."""
    import random

    from wechatpy.parser import parse_message

    from channels.wechat.messages import _read_flat, _read_with_expat

    rng = random.Random(20261122)
    alphabet = ["a", "Z", "0", " ", "\n", "\r", "\t", "中", "&", "&amp;", "<", "]", "]]>", "\x01"]
    handed_over = 0
    for _ in range(400):
        fields = [("ToUserName", "gh_x"), ("FromUserName", "oU"), ("CreateTime", "1"),
                  ("MsgType", "text")]
        fields += [(f"F{n}", "".join(rng.choices(alphabet, k=rng.randint(0, 6))))
                   for n in range(rng.randint(0, 3))]
        parts = []
        for name, value in fields:
            if rng.random() < 0.5 and "]]>" not in value:
                parts.append(f"<{name}><![CDATA[{value}]]></{name}>")
            else:
                parts.append(f"<{name}>{value}</{name}>")
        xml = "<xml>" + rng.choice(["", " ", "\n"]).join(parts) + "</xml>"
        try:
            expected = _read_with_expat(xml)
        except Exception:
            assert _read_flat(xml) is None  # what expat refuses is never read the fast way
            continue
        flat = _read_flat(xml)
        if flat is None:
            handed_over += 1
        else:
            assert flat == expected == dict(parse_message(xml)._data), xml
    assert 0 < handed_over < 400
