"""``GET`` / ``POST /callbacks/wechat`` through the running server, pushed by the simulator."""

from __future__ import annotations

import hashlib
import time

import httpx
import pytest

from models.wechat import Follower
from sandbox.wechat import proto
from tests.wechat.wechat_support import new_openid, records, send

pytestmark = pytest.mark.usefixtures("server")


def _sig(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324


async def test_url_verification_echoes_echostr(api: httpx.AsyncClient) -> None:
    ts, nonce = str(int(time.time())), "1514711492"
    params = {"signature": _sig(proto.TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}
    resp = await api.get("/callbacks/wechat", params={**params, "echostr": "4375120948345356249"})
    assert resp.status_code == 200 and resp.text == "4375120948345356249"
    flipped = "1" if params["signature"][-1] == "0" else "0"
    bad = {**params, "signature": params["signature"][:-1] + flipped, "echostr": "1"}
    resp = await api.get("/callbacks/wechat", params=bad)
    assert resp.status_code == 403 and resp.text == ""
    assert (await api.get("/callbacks/wechat")).status_code == 403


@pytest.mark.parametrize("mode", ["plain", "aes", "compat"])
async def test_text_help_in_every_mode(sims: dict, mode: str) -> None:
    openid = new_openid()
    out = await send(sims["wechat"].base_url, "text", openid=openid, content="你好", mode=mode)
    assert out["status"] == 200
    assert "进度 办件编号" in out["reply"] and f"<ToUserName><![CDATA[{openid}]]>" in out["reply"]
    if mode != "plain":
        assert "<Encrypt>" in out["body"] and "<MsgSignature>" in out["body"]
    [record] = await records(openid)
    assert record.mode == mode and record.msg_type == "text"
    assert "你好" not in record.body  # sealed at rest


async def test_retry_is_recorded_once_and_answered_alike(sims: dict) -> None:
    openid = new_openid()
    out = await send(sims["wechat"].base_url, "subscribe", openid=openid, scene="bind", repeat=3)
    answers = [r["reply"] for r in out["all"]]
    assert all(a and "欢迎关注掌上办" in a for a in answers)
    assert len(await records(openid)) == 1
    assert (await Follower.get(openid=openid)).subscribed


async def test_bad_signatures_are_refused_without_record(sims: dict) -> None:
    openid = new_openid()
    for mode in ("plain", "aes"):
        out = await send(
            sims["wechat"].base_url,
            "text",
            openid=openid,
            content="x",
            mode=mode,
            bad_signature=True,
        )
        assert out["status"] == 403 and out["body"] == ""
    assert await records(openid) == []


async def test_replayed_query_with_a_forged_body_is_refused(api: httpx.AsyncClient) -> None:
    """Plain mode signs only token, timestamp and nonce: an old signed query is not believed."""
    openid = new_openid()
    xml = proto.build_event(openid, "unsubscribe")
    for age, status in ((3600, 403), (-3600, 403), (0, 200)):
        ts, nonce = str(int(time.time()) - age), "20261122"
        params = {"signature": _sig(proto.TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce}
        resp = await api.post("/callbacks/wechat", params=params, content=xml.encode())
        assert resp.status_code == status
    assert len(await records(openid)) == 1  # only the fresh one
    big = xml.replace("</xml>", "<Pad>" + "x" * 70_000 + "</Pad></xml>")
    resp = await api.post("/callbacks/wechat", params=params, content=big.encode())
    assert resp.status_code == 413 and len(await records(openid)) == 1


async def test_wrong_appid_trailer_is_answered_without_state(sims: dict) -> None:
    openid = new_openid()
    out = await send(
        sims["wechat"].base_url, "subscribe", openid=openid, appid="wx0000000000000bad"
    )
    assert (out["status"], out["body"]) == (200, "success")
    assert await records(openid) == [] and not await Follower.exists(openid=openid)


@pytest.mark.parametrize(
    "xml",
    [
        "<xml><ToUserName>broken",
        "not xml at all",
        "<xml><FromUserName><![CDATA[oX]]></FromUserName></xml>",
    ],
)
async def test_malformed_xml_is_answered_success(sims: dict, xml: str) -> None:
    out = await send(sims["wechat"].base_url, "raw", xml=xml, mode="plain")
    assert (out["status"], out["body"]) == (200, "success")


async def test_unknown_types_do_not_fail(sims: dict) -> None:
    openid = new_openid()
    head = (
        f"<ToUserName><![CDATA[{proto.ORIGINAL_ID}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName><CreateTime>{int(time.time())}</CreateTime>"
    )
    msg_id = f"77{time.time_ns()}"
    weird = f"<xml>{head}<MsgType><![CDATA[hologram]]></MsgType><MsgId>{msg_id}</MsgId></xml>"
    out = await send(sims["wechat"].base_url, "raw", xml=weird, mode="aes")
    assert out["status"] == 200 and "进度 办件编号" in out["reply"]
    odd_event = (
        f"<xml>{head}<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[martian]]></Event></xml>"
    )
    out = await send(sims["wechat"].base_url, "raw", xml=odd_event, mode="plain")
    assert (out["status"], out["body"]) == (200, "success")


async def test_subscribe_scene_and_unsubscribe(sims: dict) -> None:
    base, openid = sims["wechat"].base_url, new_openid()
    out = await send(base, "subscribe", openid=openid, scene="case_202611220000017")
    assert "欢迎关注掌上办" in out["reply"] and "/h5/wechat/bind" in out["reply"]
    assert "尚未绑定" in out["reply"]  # the scene asked for a case; not bound yet
    follower = await Follower.get(openid=openid)
    assert follower.subscribed and follower.scene == "case_202611220000017"
    out = await send(base, "unsubscribe", openid=openid, create_time=int(time.time()) + 1)
    assert out["body"] == "success"
    assert not (await Follower.get(openid=openid)).subscribed
    # a late retry of the older subscribe does not bring the follower back
    await send(base, "subscribe", openid=openid, create_time=int(time.time()) - 100)
    assert not (await Follower.get(openid=openid)).subscribed


async def test_keywords_and_menu_for_an_unbound_user(sims: dict) -> None:
    base, openid = sims["wechat"].base_url, new_openid()
    reply = (await send(base, "text", openid=openid, content="进度 202611220000017"))["reply"]
    assert "尚未绑定" in reply and "/h5/wechat/bind" in reply
    reply = (await send(base, "text", openid=openid, content="进度 <script>"))["reply"]
    assert "格式不正确" in reply
    reply = (await send(base, "text", openid=openid, content="绑定"))["reply"]
    assert "/h5/wechat/bind" in reply
    reply = (await send(base, "click", openid=openid, key="CONTACT"))["reply"]
    assert "12345" in reply
    reply = (await send(base, "click", openid=openid, key="MY_CASES"))["reply"]
    assert "尚未绑定" in reply
    reply = (await send(base, "click", openid=openid, key="GUIDE"))["reply"]
    assert "指南 关键词" in reply
    out = await send(base, "view", openid=openid, url="https://zsb.example.cn/h5/")
    assert out["body"] == "success"
    out = await send(base, "scan", openid=openid, scene="case_202611220000017")
    assert "尚未绑定" in out["reply"]


async def test_guide_keyword_answers_catalogue_matches(sims: dict) -> None:
    reply = (await send(sims["wechat"].base_url, "text", content="指南 身份证"))["reply"]
    assert "身份证" in reply and ("相关的事项" in reply)


async def test_keywords_for_a_bound_user(sims: dict) -> None:
    from app.identity.accounts import login_or_register
    from app.interfaces import PlatformIdentity

    base, openid = sims["wechat"].base_url, new_openid()
    await login_or_register(PlatformIdentity(channel="wechat", subject=openid))
    reply = (await send(base, "text", openid=openid, content="进度 209901010000001"))["reply"]
    assert "未找到编号为 209901010000001 的本人办件" in reply
    reply = (await send(base, "click", openid=openid, key="MY_CASES"))["reply"]
    assert "您还没有办件" in reply
    reply = (await send(base, "text", openid=openid, content="绑定"))["reply"]
    assert "已绑定" in reply


async def test_retry_acts_when_the_first_delivery_never_finished(sims: dict) -> None:
    """The record was written but the process died before acting: WeChat's retry (same sender
    and CreateTime) is acted on, once, and then marked handled."""
    from models.wechat import InboundCallback

    openid, at = new_openid(), int(time.time())
    await InboundCallback.create(
        dedupe_key=f"evt:{openid}:{at}:subscribe", openid=openid, msg_type="event",
        event="subscribe", mode="aes", body="x",
    )
    out = await send(sims["wechat"].base_url, "subscribe", openid=openid, create_time=at)
    assert out["status"] == 200 and "欢迎关注掌上办" in out["reply"]
    assert (await Follower.get(openid=openid)).subscribed
    [record] = await records(openid)
    assert record.outcome == "handled"
    await send(sims["wechat"].base_url, "subscribe", openid=openid, create_time=at)
    assert len(await records(openid)) == 1


async def test_safe_mode_trusts_only_msg_signature(api: httpx.AsyncClient) -> None:
    """msg_signature covers the body: a valid query signature does not rescue a forged body."""
    openid = new_openid()
    query, body = proto.sign_request(proto.build_text(openid, "你好"), "aes")
    forged = {**query, "msg_signature": "0" * 40}
    resp = await api.post("/callbacks/wechat", params=forged, content=body.encode())
    assert resp.status_code == 403
    assert await records(openid) == []
    resp = await api.post("/callbacks/wechat", params=query, content=body.encode())
    assert resp.status_code == 200 and "<Encrypt>" in resp.text


async def test_a_copied_callback_url_carries_no_other_push(api: httpx.AsyncClient) -> None:
    """Plain mode signs no body: a query signature seen with one push is refused with another,
    also when it is a safe-mode URL with ``encrypt_type`` stripped. A retry still passes."""
    victim = new_openid()
    await Follower.create(openid=victim, subscribed=True, last_event_time=0)
    query, body = proto.sign_request(proto.build_text(victim, "你好"), "aes")
    assert (await api.post("/callbacks/wechat", params=query, content=body.encode())
            ).status_code == 200
    stripped = {k: v for k, v in query.items() if k not in ("encrypt_type", "msg_signature")}
    for forged in (proto.build_event(victim, "unsubscribe"), proto.build_text(victim, "我的办件")):
        resp = await api.post("/callbacks/wechat", params=stripped, content=forged.encode())
        assert resp.status_code == 403 and resp.text == ""
    assert len(await records(victim)) == 1
    assert (await Follower.get(openid=victim)).subscribed

    plain_query, plain_body = proto.sign_request(proto.build_text(victim, "帮助"), "plain")
    for _ in range(2):  # WeChat's retry: same query, same push
        resp = await api.post("/callbacks/wechat", params=plain_query,
                              content=plain_body.encode())
        assert resp.status_code == 200
    forged = proto.build_event(victim, "unsubscribe")
    resp = await api.post("/callbacks/wechat", params=plain_query, content=forged.encode())
    assert resp.status_code == 403
    assert (await Follower.get(openid=victim)).subscribed and len(await records(victim)) == 2


async def test_safe_mode_refuses_a_stale_timestamp(api: httpx.AsyncClient) -> None:
    openid = new_openid()
    encrypted = proto.encrypt(proto.build_text(openid, "你好"))
    body = f"<xml><ToUserName>{proto.ORIGINAL_ID}</ToUserName><Encrypt>{encrypted}</Encrypt></xml>"
    for age, status in ((3600, 403), (0, 200)):
        ts, nonce = str(int(time.time()) - age), "777"
        params = {"signature": _sig(proto.TOKEN, ts, nonce), "timestamp": ts, "nonce": nonce,
                  "encrypt_type": "aes", "msg_signature": _sig(proto.TOKEN, ts, nonce, encrypted)}
        resp = await api.post("/callbacks/wechat", params=params, content=body.encode())
        assert resp.status_code == status
    assert len(await records(openid)) == 1


async def test_template_receipts_in_the_same_second_are_both_recorded(
    api: httpx.AsyncClient,
) -> None:
    openid, now = new_openid(), int(time.time())
    for msg_id in ("200000001", "200000002"):
        xml = proto.build_event(openid, "TEMPLATESENDJOBFINISH", create_time=now,
                                extra={"MsgID": msg_id, "Status": "success"})
        query, body = proto.sign_request(xml, "aes")
        resp = await api.post("/callbacks/wechat", params=query, content=body.encode())
        assert resp.status_code == 200 and resp.text == "success"
    assert len(await records(openid)) == 2


async def test_compat_mode_text_naming_encrypt_is_answered(sims: dict) -> None:
    openid = new_openid()
    out = await send(sims["wechat"].base_url, "text", openid=openid, mode="compat",
                     content="<Encrypt>abcd</Encrypt>")
    assert out["status"] == 200 and "进度 办件编号" in out["reply"]


async def test_follow_by_scanning_a_product_code_is_a_follow(api: httpx.AsyncClient) -> None:
    openid = new_openid()
    key = "scanbarcode|EAN13|6901234567892"
    xml = proto.build_event(openid, "subscribe", extra={"EventKey": key})
    query, body = proto.sign_request(xml, "aes")
    resp = await api.post("/callbacks/wechat", params=query, content=body.encode())
    assert resp.status_code == 200
    assert (await Follower.get(openid=openid)).subscribed
