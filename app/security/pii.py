"""Personal data at rest: AES-256-GCM with a key id, a keyed blind index, and masks.

Ciphertexts look like ``<kid>$<base64(nonce || ciphertext || tag)>``; the key id lets keys
rotate (the first key in ``ZSB_PII_KEYS`` encrypts, every listed key decrypts). Equality
look-ups go through ``blind_index``: an HMAC-SHA256 of the normalised value under a separate
key, with a purpose label so an index of phones cannot be joined with one of ID numbers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.settings import get_settings


@dataclass(frozen=True)
class Keyring:
    current: str
    keys: dict[str, AESGCM]
    index_key: bytes


def parse_keys(spec: str) -> tuple[str, dict[str, AESGCM]]:
    keys: dict[str, AESGCM] = {}
    current = ""
    for part in spec.split(","):
        kid, _, b64 = part.strip().partition(":")
        raw = base64.b64decode(b64)
        if len(raw) != 32 or not kid or "$" in kid:
            raise ValueError("each ZSB_PII_KEYS entry must be kid:base64(32 bytes)")
        keys[kid] = AESGCM(raw)
        current = current or kid
    return current, keys


@lru_cache(maxsize=1)
def keyring() -> Keyring:
    s = get_settings()
    current, keys = parse_keys(s.pii_keys.get_secret_value())
    return Keyring(current, keys, s.pii_index_key.get_secret_value().encode())


# marks a sealed value inside a JSON document (a case's personal form fields), so readers and
# the key rotation know it from plain text
IN_DOCUMENT_PREFIX = "enc:"


def encrypt(value: str, *, kid: str | None = None) -> str:
    ring = keyring()
    kid = kid or ring.current
    nonce = os.urandom(12)
    sealed = ring.keys[kid].encrypt(nonce, value.encode(), kid.encode())
    return f"{kid}${base64.b64encode(nonce + sealed).decode()}"


def decrypt(token: str) -> str:
    kid, _, b64 = token.partition("$")
    raw = base64.b64decode(b64)
    return keyring().keys[kid].decrypt(raw[:12], raw[12:], kid.encode()).decode()


def key_id(token: str) -> str:
    return token.partition("$")[0]


def blind_index(value: str, purpose: str) -> str:
    normalised = value.strip().upper()
    msg = f"{purpose}:{normalised}".encode()
    return hmac.new(keyring().index_key, msg, hashlib.sha256).hexdigest()


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 7 else "****"


def mask_id_number(id_number: str | None) -> str | None:
    if not id_number:
        return id_number
    return id_number[:3] + "*" * (len(id_number) - 7) + id_number[-4:]


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def mask_address(address: str | None) -> str | None:
    if not address:
        return address
    return address[:6] + "****" if len(address) > 6 else "****"
