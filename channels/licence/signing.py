"""The licence library's record signature (SM2 by the library, checked by us). Requests are
signed as every government edge's (``channels/govsign.py``). Pure functions."""

from __future__ import annotations

import json
from typing import Any

from app.crypto import sm2

RECORD_PREFIX = b"LICENCE-RECORD-1\n"


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
