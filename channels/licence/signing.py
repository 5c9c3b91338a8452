"""The licence library's request signature (HMAC-SM3) and record signature (SM2). Pure
functions; the protocol is in ``channels/licence/__init__.py``."""

from __future__ import annotations

import hmac as std_hmac
import json
from typing import Any

from cryptography.hazmat.primitives import hashes, hmac

from app.crypto import sm2

RECORD_PREFIX = b"LICENCE-RECORD-1\n"


def string_to_sign(path: str, timestamp: str, nonce: str, body: bytes) -> bytes:
    return f"POST\n{path}\n{timestamp}\n{nonce}\n{sm2.sm3(body).hex()}".encode()


def request_signature(secret: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    mac = hmac.HMAC(secret.encode(), hashes.SM3())
    mac.update(string_to_sign(path, timestamp, nonce, body))
    return mac.finalize().hex()


def signature_matches(expected: str, given: str) -> bool:
    return std_hmac.compare_digest(expected.encode(), given.encode())


def record_message(record: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in record.items() if k != "signature"}
    text = json.dumps(unsigned, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return RECORD_PREFIX + text.encode()


def record_signed_by(record: dict[str, Any], public: sm2.PublicKey) -> bool:
    try:
        signature = bytes.fromhex(str(record.get("signature", "")))
    except ValueError:
        return False
    return sm2.verify(public, record_message(record), signature)
