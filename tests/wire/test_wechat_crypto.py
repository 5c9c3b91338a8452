"""Published WeChat vectors: URL verification, WXBizMsgCrypt samples, JS-SDK signature."""

from __future__ import annotations

import pytest

from channels.wechat.crypto import CallbackCrypto, check_signature, sha1_signature
from channels.wechat.errors import WeChatCallbackError
from channels.wechat.jssdk import signature as jssdk_signature
from channels.wechat.messages import parse
from sandbox.wechat import proto

SAMPLE_A = {
    "token": "QDG6eK",
    "key": "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C",
    "appid": "wx5823bf96d3bd56c7",
    "msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6",
    "timestamp": "1409659813",
    "nonce": "1372623149",
    "encrypt": (
        "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3Qczc"
        "dCUpj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLj"
        "vd4Xgpue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMn"
        "vw2r+KqCKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k"
        "22Ncx4XXZS9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2Yoy"
        "yH2uyPIGHBZZIs2pDBS8R07+qN+E7Q=="
    ),
}
SAMPLE_B = {
    "token": "spamtest",
    "key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    "appid": "wx2c2769f8efd9abc2",
    "msg_signature": "5d197aaffba7e9b25a30732f161a50dee96bd5fa",
    "timestamp": "1409735669",
    "nonce": "1320562132",
    "encrypt": (
        "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6"
        "F8PGHQHFVAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T33"
        "2jisa+h6tEDYsVticbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCg"
        "avjIQ6X8tCOp3yZbGpy0VxpAe+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6Oewp"
        "usjZ4uBl9FyJvnhvQl+q5rv1ixrcpCumEPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
    ),
}


@pytest.mark.parametrize(
    ("token", "timestamp", "nonce", "expected"),
    [
        ("AAAAA", "1714037059", "486452656", "899cf89e464efb63f54ddac96b0a0a235f53aa78"),
        ("AAAAA", "1714036504", "1514711492", "f464b24fc39322e44b38aa78f5edd27bd1441696"),
        ("test", "1410685589", "test", "f21891de399b4e33a1a93c9a7b8a8fffb5a443ff"),
        ("spamtest", "1409735669", "1320562132", "16120ec1b8dbb870f510d87ce6bc2463eae6ca1a"),
    ],
)
def test_url_verification_vectors(token: str, timestamp: str, nonce: str, expected: str) -> None:
    assert sha1_signature(token, timestamp, nonce) == expected
    assert check_signature(token, expected, timestamp, nonce)
    assert not check_signature(token, expected[:-1] + "e", timestamp, nonce)
    assert not check_signature(token, "", timestamp, nonce)


def test_wxbizmsgcrypt_sample_a_decrypts() -> None:
    s = SAMPLE_A
    xml = CallbackCrypto(s["token"], s["key"], s["appid"]).decrypt(
        s["encrypt"], s["msg_signature"], s["timestamp"], s["nonce"]
    )
    msg = parse(xml)
    assert (msg.openid, msg.content, msg.msg_id) == ("mycreate", "hello", "4561255354251345929")
    assert msg.to_user == "wx5823bf96d3bd56c7"


def test_wxbizmsgcrypt_sample_a_echostr() -> None:
    crypto = CallbackCrypto("QDG6eK", SAMPLE_A["key"], "wx5823bf96d3bd56c7")
    echostr = (
        "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
    )
    plain = crypto.decrypt(
        echostr, "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3", "1409659589", "263014780"
    )
    assert plain == "1616140317555161061"


def test_wxbizmsgcrypt_sample_b_decrypts() -> None:
    s = SAMPLE_B
    crypto = CallbackCrypto(s["token"], s["key"], s["appid"])
    body = (
        "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
        f"<Encrypt><![CDATA[{s['encrypt']}]]></Encrypt></xml>"
    )
    msg = parse(crypto.decrypt_body(body.encode(), s["msg_signature"], s["timestamp"], s["nonce"]))
    assert msg.openid == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    assert (msg.content, msg.msg_id) == ("abcdteT", "6054768590064713728")
    assert msg.create_time == 1409735668


def test_sample_b_wrong_appid_trailer_is_refused() -> None:
    s = SAMPLE_B
    crypto = CallbackCrypto(s["token"], s["key"], "wx0000000000000000")
    with pytest.raises(WeChatCallbackError, match="appid"):
        crypto.decrypt(s["encrypt"], s["msg_signature"], s["timestamp"], s["nonce"])


def test_sample_b_bad_msg_signature_is_refused() -> None:
    s = SAMPLE_B
    crypto = CallbackCrypto(s["token"], s["key"], s["appid"])
    with pytest.raises(WeChatCallbackError, match="signature"):
        crypto.decrypt(s["encrypt"], s["msg_signature"][:-1] + "0", s["timestamp"], s["nonce"])


def test_encrypted_reply_roundtrips_through_independent_simulator_crypto() -> None:
    crypto = CallbackCrypto(proto.TOKEN, proto.ENCODING_AES_KEY, proto.APPID)
    inner = "<xml><Content><![CDATA[你好]]></Content></xml>"
    reply = crypto.encrypt_reply(inner, "123", "1700000000")
    assert "<TimeStamp>1700000000</TimeStamp>" in reply
    assert proto.decrypt_reply(reply) == inner
    # and the other way round: the simulator encrypts, we decrypt
    encrypted = proto.encrypt("<xml>x</xml>")
    sig = proto.signature(proto.TOKEN, "1", "2", encrypted)
    assert crypto.decrypt(encrypted, sig, "1", "2") == "<xml>x</xml>"


def test_jssdk_signature_official_example() -> None:
    ticket = (
        "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg"
    )
    url = "http://mp.weixin.qq.com?params=value#fragment-is-dropped"
    sig = jssdk_signature(ticket, "Wm3WZYTPz0wzccnW", 1414587457, url)
    assert sig == "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
