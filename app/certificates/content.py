"""What a seal signs, and the two portable forms of a certificate: the QR payload and the
sealed PDF. Pure functions (no I/O, no keys), shared by issuing, online verification and the
offline verifier (``python -m app verify-certificate``).

- **Canonical content**: the certificate as JSON with sorted keys, no spaces, UTF-8.
- **Seal message**: ``"ZSB-SEAL-1\\n" + canonical content + "\\n" + SM3(PDF body) hex``; the
  department's SM2 signature over it is the electronic seal.
- **QR payload**: ``base64url(JSON [version, code, type, masked holder, issued, valid until,
  key id]) + "." + base64url(SM2 r ‖ s)``, signed by the same key. The QR code carries
  ``<public base>/verify/<code>#<payload>``: a phone opens the page, an offline verifier reads
  the part after ``#`` and needs only the published keys.
- **Sealed PDF**: the rendered PDF, then one comment line after ``%%EOF``:
  ``%ZSB-SEAL:<base64url(JSON {key_id, content, sig})>``. Readers ignore it; a verifier strips
  it, hashes what is left and checks the seal, so a changed byte anywhere shows.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.crypto.sm2 import sm3

SEAL_PREFIX = b"ZSB-SEAL-1\n"
PAYLOAD_VERSION = "Z1"
TRAILER = b"\n%ZSB-SEAL:"
MAX_PAYLOAD_CHARS = 1200  # a QR code of ours is far shorter; anything longer is not ours


def canonical(content: dict[str, Any]) -> bytes:
    return json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def seal_message(content_json: bytes, pdf_sm3_hex: str) -> bytes:
    return SEAL_PREFIX + content_json + b"\n" + pdf_sm3_hex.encode("ascii")


def b64e(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def b64d(text: str) -> bytes:
    """Strict base64url (no padding); ValueError on anything else."""
    if not text or any(c not in _B64 for c in text):
        raise ValueError("not base64url")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not base64url") from exc


_B64 = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@dataclass(frozen=True)
class OfflineClaim:
    """What a QR payload says once its signature has been checked."""

    code: str
    type_code: str
    holder: str
    issued: date
    valid_until: date | None
    key_id: str


def payload_body(claim: OfflineClaim) -> str:
    fields = [PAYLOAD_VERSION, claim.code, claim.type_code, claim.holder,
              claim.issued.strftime("%Y%m%d"),
              claim.valid_until.strftime("%Y%m%d") if claim.valid_until else "", claim.key_id]
    return b64e(json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode())


class BadPayload(ValueError):
    """Not a payload of ours: truncated, garbled, of an unknown version."""


def split_payload(text: str) -> tuple[str, OfflineClaim, bytes]:
    """``(signed part, claim, signature)`` of a QR payload (or of the whole QR text, URL and
    all); the signature is not checked here."""
    text = text.strip()
    if "#" in text:
        text = text.rsplit("#", 1)[1]
    if len(text) > MAX_PAYLOAD_CHARS or text.count(".") != 1:
        raise BadPayload("not a certificate payload")
    body, _, sig = text.partition(".")
    try:
        fields = json.loads(b64d(body))
        signature = b64d(sig)
    except ValueError as exc:
        raise BadPayload("not a certificate payload") from exc
    if not (isinstance(fields, list) and len(fields) == 7 and fields[0] == PAYLOAD_VERSION
            and all(isinstance(f, str) for f in fields)):
        raise BadPayload("unknown payload version")
    try:
        claim = OfflineClaim(
            code=fields[1], type_code=fields[2], holder=fields[3], issued=_day(fields[4]),
            valid_until=_day(fields[5]) if fields[5] else None, key_id=fields[6],
        )
    except ValueError as exc:
        raise BadPayload("bad date in payload") from exc
    return body, claim, signature


def _day(text: str) -> date:
    if len(text) != 8 or not text.isdigit():
        raise ValueError(text)
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def payload_message(body: str) -> bytes:
    return b"ZSB-QR-1\n" + body.encode("ascii")


def seal_pdf(body: bytes, key_id: str, content_json: bytes, signature: bytes) -> bytes:
    trailer = {"key_id": key_id, "content": content_json.decode(), "sig": signature.hex()}
    return body + TRAILER + b64e(canonical(trailer)).encode() + b"\n"


@dataclass(frozen=True)
class SealedPdf:
    body: bytes
    key_id: str
    content_json: bytes
    signature: bytes

    @property
    def body_sm3(self) -> str:
        return sm3(self.body).hex()

    @property
    def content(self) -> dict[str, Any]:
        return dict(json.loads(self.content_json))


def open_pdf(data: bytes) -> SealedPdf:
    """Split a sealed PDF into its body and seal; BadPayload when it carries none."""
    at = data.rfind(TRAILER)
    if at < 0 or not data.startswith(b"%PDF-"):
        raise BadPayload("no seal in this PDF")
    try:
        trailer = json.loads(b64d(data[at + len(TRAILER):].strip().decode("ascii")))
        return SealedPdf(
            body=data[:at], key_id=str(trailer["key_id"]),
            content_json=str(trailer["content"]).encode(),
            signature=bytes.fromhex(str(trailer["sig"])),
        )
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise BadPayload("unreadable seal") from exc
