"""Callback signatures and safe-mode (AES) encryption, apart from any HTTP.

Signatures are compared in constant time. The AES part is wechatpy's ``PrpCrypto``
(AES-256-CBC, IV = key[:16], PKCS#7 over 32-byte blocks, appid trailer checked).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
import time

from wechatpy.crypto import PrpCrypto
from wechatpy.exceptions import InvalidAppIdException

from channels.wechat.errors import CallbackSignatureError, WeChatCallbackError

_ENCRYPT = re.compile(
    rb"<Encrypt>\s*(?:<!\[CDATA\[([A-Za-z0-9+/=]+)\]\]>|([A-Za-z0-9+/=]+))\s*</Encrypt>"
)
REPLY_TEMPLATE = (
    "<xml>\n<Encrypt><![CDATA[{encrypt}]]></Encrypt>\n"
    "<MsgSignature><![CDATA[{signature}]]></MsgSignature>\n"
    "<TimeStamp>{timestamp}</TimeStamp>\n<Nonce><![CDATA[{nonce}]]></Nonce>\n</xml>"
)


class _Prp(PrpCrypto):
    def get_random_string(self) -> str:
        return os.urandom(8).hex()  # the 16-character random prefix; wechatpy's is slower


def sha1_signature(*parts: str) -> str:
    """sha1 of the lexicographically sorted parts, lowercase hex (plain and msg signatures)."""
    return hashlib.sha1("".join(sorted(parts)).encode()).hexdigest()  # noqa: S324 - WeChat's


def check_signature(token: str, signature: str, *parts: str) -> bool:
    expected = sha1_signature(token, *parts)
    return hmac.compare_digest(expected.encode(), (signature or "").encode())


class CallbackCrypto:
    """Safe-mode message crypto for one account (token, EncodingAESKey, appid)."""

    def __init__(self, token: str, encoding_aes_key: str, appid: str) -> None:
        key = base64.b64decode(encoding_aes_key + "=")
        if len(key) != 32:
            raise ValueError("EncodingAESKey must be 43 characters (32 bytes)")
        self.token = token
        self.key = key
        self.appid = appid
        self._prp = _Prp(key)  # holds the cipher; each call makes its own context

    def decrypt(self, encrypt: str, msg_signature: str, timestamp: str, nonce: str) -> str:
        if not check_signature(self.token, msg_signature, timestamp, nonce, encrypt):
            raise CallbackSignatureError("bad msg_signature")
        try:
            return self._prp.decrypt(encrypt, self.appid)
        except InvalidAppIdException as exc:
            raise WeChatCallbackError("appid trailer mismatch") from exc
        except Exception as exc:  # bad base64, bad padding, truncated plaintext
            raise WeChatCallbackError("cannot decrypt") from exc

    def decrypt_body(self, body: bytes, msg_signature: str, timestamp: str, nonce: str) -> str:
        """Take ``Encrypt`` out of a safe-mode POST body and decrypt it.

        Only the base64 ``Encrypt`` element is needed, so it is found with a pattern instead of
        a full XML parse: the decrypted message is parsed properly afterwards. WeChat puts it
        last, after any plaintext fields.
        """
        # the last one: in compatible mode the user's own text comes first and may hold the
        # element's name
        matches = list(_ENCRYPT.finditer(body))
        if not matches:
            raise WeChatCallbackError("malformed safe-mode body")
        encrypt = (matches[-1].group(1) or matches[-1].group(2)).decode("ascii")
        return self.decrypt(encrypt, msg_signature, timestamp, nonce)

    def encrypt(self, xml: str) -> str:
        return self._prp.encrypt(xml, self.appid).decode()

    def encrypt_reply(
        self, xml: str, nonce: str | None = None, timestamp: str | None = None
    ) -> str:
        """The safe-mode reply envelope: Encrypt, MsgSignature, TimeStamp, Nonce."""
        nonce = nonce or str(secrets.randbelow(10**10))
        timestamp = timestamp or str(int(time.time()))
        encrypt = self.encrypt(xml)
        signature = sha1_signature(self.token, timestamp, nonce, encrypt)
        return REPLY_TEMPLATE.format(
            encrypt=encrypt, signature=signature, timestamp=timestamp, nonce=nonce
        )
