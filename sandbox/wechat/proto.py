"""WeChat's side of the callback protocol: XML building, signing, safe-mode encryption.

Written against ``cryptography`` directly (not wechatpy) so the simulator checks the server's
crypto independently.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import struct
import time
from typing import Any
from xml.sax.saxutils import escape

import xmltodict
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

APPID = "wxa1b2c3d4e5f60718"
SECRET = "sim-wechat-app-secret-0123456789"
TOKEN = "zsbsimtoken"
ENCODING_AES_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
ORIGINAL_ID = "gh_sim00000001"
CALLBACK_PATH = "/callbacks/wechat"
BLOCK = 32


def _cdata(value: str) -> str:
    return "<![CDATA[" + value.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def _head(openid: str, msg_type: str, create_time: int | None) -> str:
    return (
        f"<ToUserName>{_cdata(ORIGINAL_ID)}</ToUserName>"
        f"<FromUserName>{_cdata(openid)}</FromUserName>"
        f"<CreateTime>{create_time or int(time.time())}</CreateTime>"
        f"<MsgType>{_cdata(msg_type)}</MsgType>"
    )


def build_text(
    openid: str, content: str, *, msg_id: str | None = None, create_time: int | None = None
) -> str:
    msg_id = msg_id or str(secrets.randbelow(10**18) + 10**18)
    return (
        f"<xml>{_head(openid, 'text', create_time)}<Content>{_cdata(content)}</Content>"
        f"<MsgId>{escape(str(msg_id))}</MsgId></xml>"
    )


_SUBSCRIBE_CONTAINERS = {
    "subscribe_msg_popup_event": "SubscribeMsgPopupEvent",
    "subscribe_msg_change_event": "SubscribeMsgChangeEvent",
    "subscribe_msg_sent_event": "SubscribeMsgSentEvent",
}


def build_event(
    openid: str,
    event: str,
    *,
    extra: dict[str, str] | None = None,
    templates: list[dict[str, Any]] | None = None,
    create_time: int | None = None,
) -> str:
    parts = [_head(openid, "event", create_time), f"<Event>{_cdata(event)}</Event>"]
    for name, value in (extra or {}).items():
        parts.append(f"<{name}>{_cdata(str(value))}</{name}>")
    if event in _SUBSCRIBE_CONTAINERS:
        items = []
        for t in templates or []:
            if event == "subscribe_msg_sent_event":
                inner = (
                    f"<TemplateId>{_cdata(t['id'])}</TemplateId>"
                    f"<MsgID>{escape(str(t.get('msg_id', '1')))}</MsgID>"
                    f"<ErrorCode>{escape(str(t.get('error_code', 0)))}</ErrorCode>"
                    f"<ErrorStatus>{_cdata(t.get('status', 'success'))}</ErrorStatus>"
                )
            else:
                inner = (
                    f"<TemplateId>{_cdata(t['id'])}</TemplateId>"
                    f"<SubscribeStatusString>{_cdata(t.get('status', 'accept'))}"
                    "</SubscribeStatusString><PopupScene>2</PopupScene>"
                )
            items.append(f"<List>{inner}</List>")
        container = _SUBSCRIBE_CONTAINERS[event]
        parts.append(f"<{container}>{''.join(items)}</{container}>")
    return "<xml>" + "".join(parts) + "</xml>"


def signature(*parts: str) -> str:
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - WeChat's


def _key(encoding_aes_key: str = ENCODING_AES_KEY) -> bytes:
    return base64.b64decode(encoding_aes_key + "=")


def encrypt(xml: str, appid: str = APPID, encoding_aes_key: str = ENCODING_AES_KEY) -> str:
    key = _key(encoding_aes_key)
    raw = xml.encode()
    plain = os.urandom(16) + struct.pack(">I", len(raw)) + raw + appid.encode()
    pad = BLOCK - len(plain) % BLOCK
    plain += bytes([pad]) * pad
    enc = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(enc.update(plain) + enc.finalize()).decode()


def decrypt(encrypted: str, encoding_aes_key: str = ENCODING_AES_KEY) -> tuple[str, str]:
    """Answer (xml, appid trailer)."""
    key = _key(encoding_aes_key)
    dec = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = dec.update(base64.b64decode(encrypted)) + dec.finalize()
    plain = plain[: -plain[-1]]
    (length,) = struct.unpack(">I", plain[16:20])
    return plain[20 : 20 + length].decode(), plain[20 + length :].decode()


def sign_request(
    xml: str,
    mode: str = "aes",
    *,
    bad_signature: bool = False,
    appid: str | None = None,
    token: str = TOKEN,
) -> tuple[dict[str, str], str]:
    """Query parameters and body for one callback POST in plain, compat or aes mode."""
    timestamp = str(int(time.time()))
    nonce = str(secrets.randbelow(10**9))
    try:
        openid = (xmltodict.parse(xml)["xml"] or {}).get("FromUserName") or ""
    except Exception:  # a deliberately malformed body still gets signed
        openid = ""
    query = {
        "signature": signature(token, timestamp, nonce),
        "timestamp": timestamp,
        "nonce": nonce,
        "openid": openid,
    }
    body = xml
    if mode in {"aes", "compat"}:
        encrypted = encrypt(xml, appid or APPID)
        query["encrypt_type"] = "aes"
        query["msg_signature"] = signature(token, timestamp, nonce, encrypted)
        enc_node = f"<Encrypt>{_cdata(encrypted)}</Encrypt>"
        if mode == "compat":
            body = xml.replace("</xml>", enc_node + "</xml>")
        else:
            body = f"<xml><ToUserName>{_cdata(ORIGINAL_ID)}</ToUserName>{enc_node}</xml>"
    if bad_signature:
        query["signature"] = "0" * 40
        if "msg_signature" in query:
            query["msg_signature"] = "0" * 40
    return query, body


def decrypt_reply(reply_xml: str) -> str:
    """Check the reply envelope's MsgSignature and answer the inner reply XML."""
    doc = xmltodict.parse(reply_xml)["xml"]
    expected = signature(TOKEN, doc["TimeStamp"], doc["Nonce"], doc["Encrypt"])
    if expected != doc["MsgSignature"]:
        raise ValueError("reply MsgSignature does not verify")
    xml, appid = decrypt(doc["Encrypt"])
    if appid != APPID:
        raise ValueError("reply appid trailer mismatch")
    return xml
