"""Checking seals: the stored certificate against its own signature, a QR payload and a sealed
PDF against the published keys. The synchronous checks serve the offline verifier; the async
caller (``app.certificates.verify``) runs the stored-seal check in a thread."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from app.certificates import content, keys
from app.crypto import sm2

PublicLookup = Callable[[str], sm2.PublicKey | None]


class OfflineStatus(StrEnum):
    genuine = "genuine"
    expired = "expired"
    revoked = "revoked"  # listed in the signed revocation list the verifier holds
    forged = "forged"  # the signature does not hold: changed, re-signed or made up
    unknown_key = "unknown_key"  # signed by no key the verifier knows
    malformed = "malformed"  # not one of ours: truncated, garbled


@dataclass(frozen=True)
class OfflineResult:
    status: OfflineStatus
    claim: content.OfflineClaim | None = None
    content: dict[str, object] | None = None  # a sealed PDF's signed content


def stored_seal_holds(key_id: str, content_json: bytes, pdf_sm3: str, signature_hex: str,
                      lookup: PublicLookup | None = None) -> bool:
    public = (lookup or keys.keyring().public)(key_id)
    if public is None:
        return False
    try:
        signature = bytes.fromhex(signature_hex)
    except ValueError:
        return False
    return sm2.verify(public, content.seal_message(content_json, pdf_sm3), signature)


def check_payload(text: str, lookup: PublicLookup, *, today: date,
                  revoked_hashes: frozenset[str] = frozenset()) -> OfflineResult:
    """A QR code's text (the whole URL or just the payload) checked with the keys only."""
    try:
        body, claim, signature = content.split_payload(text)
    except content.BadPayload:
        return OfflineResult(OfflineStatus.malformed)
    public = lookup(claim.key_id)
    if public is None:
        return OfflineResult(OfflineStatus.unknown_key, claim)
    if not sm2.verify(public, content.payload_message(body), signature):
        return OfflineResult(OfflineStatus.forged)
    if code_hash(claim.code) in revoked_hashes:
        return OfflineResult(OfflineStatus.revoked, claim)
    if claim.valid_until is not None and claim.valid_until < today:
        return OfflineResult(OfflineStatus.expired, claim)
    return OfflineResult(OfflineStatus.genuine, claim)


def check_pdf(data: bytes, lookup: PublicLookup, *, today: date,
              revoked_hashes: frozenset[str] = frozenset()) -> OfflineResult:
    """A sealed PDF: its seal over the signed content and the SM3 of the bytes before it."""
    try:
        sealed = content.open_pdf(data)
        signed = sealed.content
    except (content.BadPayload, ValueError):
        return OfflineResult(OfflineStatus.malformed)
    public = lookup(sealed.key_id)
    if public is None:
        return OfflineResult(OfflineStatus.unknown_key)
    message = content.seal_message(sealed.content_json, sealed.body_sm3)
    if not sm2.verify(public, message, sealed.signature):
        return OfflineResult(OfflineStatus.forged)
    if code_hash(str(signed.get("code", ""))) in revoked_hashes:
        return OfflineResult(OfflineStatus.revoked, content=signed)
    until = signed.get("valid_until")
    if isinstance(until, str) and date.fromisoformat(until[:10]) < today:
        return OfflineResult(OfflineStatus.expired, content=signed)
    return OfflineResult(OfflineStatus.genuine, content=signed)


def code_hash(code: str) -> str:
    """How the revocation list names a certificate: not by its code, which would let anyone
    holding the list look the holders up."""
    return sm2.sm3(b"ZSB-CRL-1:" + code.encode()).hex()[:32]
