"""RSA2 (SHA256withRSA, PKCS#1 v1.5) for the Alipay open platform.

- Requests: every parameter but ``sign`` (``sign_type`` included), empty values dropped,
  sorted and joined as ``k=v&…`` with raw values — the official SDK's
  ``SignatureUtils.get_sign_content``, which we reuse.
- Sync responses: the signed text is the exact raw ``"<method>_response"`` (or
  ``error_response``) object as it appears in the body, never a re-serialisation.
- Async notifies: every parameter but ``sign`` and ``sign_type``, sorted and joined.

The signature itself is made with ``cryptography`` rather than the SDK's ``sign_with_rsa2``:
both produce the same bytes (PKCS#1 v1.5 is deterministic; a unit test checks it), but the
SDK's pure-Python ``rsa`` takes ~40 ms per signature on the event loop, ``cryptography`` <1 ms.
Verification is strict SHA-256 (the SDK's ``verify_with_rsa`` would also accept SHA-1).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from alipay.aop.api.util.SignatureUtils import get_sign_content
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa


def _pem(text: str, kind: str) -> bytes:
    """Accept a PEM file's text or the bare base64 body the Alipay console hands out."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        return text.encode()
    return f"-----BEGIN {kind}-----\n{text}\n-----END {kind}-----\n".encode()


@lru_cache(maxsize=8)
def load_private_key(path: str) -> rsa.RSAPrivateKey:
    with open(path, encoding="ascii") as f:
        text = f.read()
    if "-----BEGIN" in text:
        key = serialization.load_pem_private_key(text.encode(), None)
    else:  # bare base64 body: PKCS#8 (Java tools) or PKCS#1 (Alipay key tool)
        try:
            key = serialization.load_pem_private_key(_pem(text, "PRIVATE KEY"), None)
        except ValueError:
            key = serialization.load_pem_private_key(_pem(text, "RSA PRIVATE KEY"), None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("alipay private key must be RSA")
    return key


@lru_cache(maxsize=8)
def load_public_key(path: str) -> rsa.RSAPublicKey:
    with open(path, encoding="ascii") as f:
        key = serialization.load_pem_public_key(_pem(f.read(), "PUBLIC KEY"))
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("alipay public key must be RSA")
    return key


def rsa2_sign(private_key: rsa.RSAPrivateKey, content: str) -> str:
    signature = private_key.sign(content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    return base64.b64encode(signature).decode("ascii")


def rsa2_verify(public_key: rsa.RSAPublicKey, content: str, sign: str) -> bool:
    try:
        signature = base64.b64decode(sign, validate=True)
        public_key.verify(signature, content.encode("utf-8"), padding.PKCS1v15(), hashes.SHA256())
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


# ---------------------------------------------------------------- requests


def request_sign_content(params: Mapping[str, Any]) -> str:
    kept = {k: v for k, v in params.items() if k != "sign" and v not in (None, "")}
    return str(get_sign_content(kept))


def sign_request(params: Mapping[str, Any], private_key: rsa.RSAPrivateKey) -> dict[str, str]:
    """The parameters with empty values dropped and ``sign`` added."""
    out = {k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
           for k, v in params.items() if k != "sign" and v not in (None, "")}
    out["sign"] = rsa2_sign(private_key, request_sign_content(out))
    return out


# ---------------------------------------------------------------- sync responses


def response_key(method: str) -> str:
    return method.replace(".", "_") + "_response"


def _object_end(text: str, start: int) -> int:
    """Index just past the JSON object opening at ``text[start] == "{"``."""
    depth = 0
    in_string = False
    i = start
    while i < len(text):
        ch = text[i]
        if in_string:
            if ch == "\\":
                i += 1
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    raise ValueError("unterminated JSON object")


def raw_response_object(raw: str, key: str) -> str | None:
    """The exact text of the top-level value of ``key`` in ``raw``, or None when absent.

    The document is parsed first so a key that only appears inside a string value or a nested
    object is not mistaken for the top-level one; then the raw text is scanned for the member.
    """
    doc = json.loads(raw)
    if not isinstance(doc, dict) or not isinstance(doc.get(key), dict):
        return None
    decoder = json.JSONDecoder()
    i = raw.index("{") + 1
    while True:
        while raw[i] in " \t\r\n,":
            i += 1
        name, i = decoder.raw_decode(raw, i)
        while raw[i] in " \t\r\n:":
            i += 1
        if name == key and raw[i] == "{":
            return raw[i:_object_end(raw, i)]
        _, i = decoder.raw_decode(raw, i)


# ---------------------------------------------------------------- async notifies


def notify_sign_content(params: Mapping[str, str]) -> str:
    return "&".join(
        f"{k}={params[k]}" for k in sorted(params) if k not in ("sign", "sign_type")
    )


def verify_notify(params: Mapping[str, str], public_key: rsa.RSAPublicKey) -> bool:
    sign = params.get("sign")
    if not sign or params.get("sign_type", "RSA2") != "RSA2":
        return False
    return rsa2_verify(public_key, notify_sign_content(params), sign)
