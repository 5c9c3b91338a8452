"""``GET /verify/<code>``: is this certificate genuine, revoked, superseded, expired or unknown?

Every look-up is rate-limited per client IP (against enumeration: 429 with ``Retry-After``),
recorded, and — when it found a certificate — told to the holder through the outbox
("您的证明于…被查验"). The answer is built from the certificate's sealed content after its
seal has been checked again, so an edited row shows as ``tampered`` instead of lying; holder
data appears masked only.
"""

from __future__ import annotations

import asyncio
import json
import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tortoise.transactions import in_transaction

from app import clock, sql
from app.certificates import codes, seal
from app.certificates.views import REASON_LABELS, STATUS_LABELS
from app.errors import TooManyRequests
from app.kv import KeyValue
from app.outbox import emit_statement, wake
from app.security import pii
from app.settings import get_settings
from models.certificates import Certificate, CertificateStatus, VerificationOutcome

V = VerificationOutcome
NOTICE_GAP_SECONDS = 60  # the same verifier reloading the page is told to the holder once


@dataclass(frozen=True)
class Verifier:
    ip: str
    user_agent: str
    via: str  # html | json


async def rate_limit(kv: KeyValue, ip: str) -> None:
    key = f"verify-ip:{pii.blind_index(ip, 'verifier_ip')[:32]}"
    count = await kv.incr(key, ex=60)
    if count > get_settings().verify_per_ip_per_minute:
        wait = await kv.ttl(key)
        retry = str(max(1, math.ceil(wait if wait is not None else 60)))
        raise TooManyRequests("查验过于频繁，请稍后再试", code="VERIFY_RATE_LIMITED",
                              headers={"Retry-After": retry})


def outcome_of(cert: Certificate, signed: dict[str, Any] | None) -> VerificationOutcome:
    """From the state columns and the *signed* validity (an edited ``valid_until`` column
    changes nothing)."""
    if signed is None:
        return V.tampered
    if cert.status == CertificateStatus.revoked:
        return V.revoked
    if cert.status == CertificateStatus.superseded:
        return V.superseded
    until = signed.get("valid_until")
    if until and datetime.fromisoformat(str(until).replace("Z", "+00:00")) < clock.now():
        return V.expired
    return V.genuine


def _open(key_id: str, content_enc: str, pdf_sm3: str, signature: str, code: str
          ) -> dict[str, Any] | None:
    """The signed content when the seal over it holds, else None (blocking: SM2)."""
    content_json = pii.decrypt(content_enc).encode()
    if not seal.stored_seal_holds(key_id, content_json, pdf_sm3, signature):
        return None
    signed = dict(json.loads(content_json))
    return signed if signed.get("code") == code else None


# verdicts of this worker, keyed by the sealed bytes themselves: a row edited in any of them
# is a new key and is checked afresh, so the cache never vouches for a changed record
_VERDICTS: dict[tuple[str, ...], dict[str, Any] | None] = {}
VERDICTS_KEPT = 4096


async def signed_content(cert: Certificate) -> dict[str, Any] | None:
    key = (cert.key_id, cert.content_enc, cert.pdf_sm3, cert.seal_signature, cert.code)
    if key in _VERDICTS:
        return _VERDICTS[key]
    signed = await asyncio.to_thread(_open, *key)  # SM2: off the event loop
    if len(_VERDICTS) >= VERDICTS_KEPT:
        _VERDICTS.clear()
    _VERDICTS[key] = signed
    return signed


_BY_CODE = "SELECT * FROM certificate WHERE code = $1"
_RECORD = (
    "INSERT INTO certificate_verification (certificate_id, at, outcome, via, ip_hash,"
    " user_agent) VALUES ($1, $2, $3, $4, $5, $6)"
)


async def verify(raw_code: str, verifier: Verifier, kv: KeyValue) -> dict[str, Any]:
    await rate_limit(kv, verifier.ip)
    code = codes.normalise(raw_code)
    cert: Certificate | None = None
    if code:
        found = await sql.rows(Certificate._meta.db, _BY_CODE, code)
        cert = Certificate._init_from_db(**found[0]) if found else None
    signed = await signed_content(cert) if cert is not None else None
    outcome = outcome_of(cert, signed) if cert is not None else V.unknown
    at = clock.now()
    ip_hash = pii.blind_index(verifier.ip, "verifier_ip")
    notify = cert is not None and await kv.set(
        f"verify-notice:{cert.id}:{ip_hash[:24]}", "1", ex=NOTICE_GAP_SECONDS, nx=True
    )
    writes: list[sql.Statement] = [(_RECORD, [cert.id if cert else None, at, outcome.value,
                                              verifier.via, ip_hash, verifier.user_agent[:120]])]
    if cert is not None and notify:
        writes.append(emit_statement(
            "certificate.verified", aggregate="certificate", aggregate_id=cert.id,
            payload={"certificate_id": cert.id, "title": cert.title, "number": cert.number,
                     "at_text": clock.local(at).strftime("%Y年%m月%d日 %H:%M"),
                     "person_id": cert.person_id},
            person_id=cert.person_id,
        ))
    # shielded: a verifier hanging up mid-request cancels the handler, and the look-up that
    # happened is recorded all the same (a cancelled SQLite transaction also left its
    # connection's lock held, stalling every later request)
    await asyncio.shield(_write(writes))
    return await answer(outcome, cert, signed, at)


async def _write(writes: list[sql.Statement]) -> None:
    """The record and the holder's notice together: one statement on PostgreSQL, one
    transaction on SQLite (which takes them one by one)."""
    db = Certificate._meta.db
    if sql.is_postgres(db):
        await sql.write_all(db, writes)
    else:
        async with in_transaction() as conn:
            await sql.write_all(conn, writes)
    wake()


async def answer(outcome: VerificationOutcome, cert: Certificate | None,
                 signed: dict[str, Any] | None, at: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"status": outcome.value, "status_label": STATUS_LABELS[outcome],
                           "checked_at": clock.iso(at), "certificate": None}
    if cert is None or signed is None:
        return out
    successor = None
    if cert.superseded_by_id:
        nxt = await Certificate.get_or_none(id=cert.superseded_by_id).only("code", "number")
        if nxt is not None:
            successor = {"number": nxt.number, "verify_url": f"/verify/{nxt.code}"}
    out["certificate"] = {
        "number": signed["number"], "title": signed["title"], "type_code": signed["type_code"],
        "holder": signed["holder"]["masked"], "holder_kind": signed["holder"]["kind"],
        "department": signed["department"]["name"], "issued_at": signed["issued_at"],
        "valid_until": signed["valid_until"], "revoked_at": clock.iso(cert.revoked_at),
        "revoke_reason": cert.revoke_reason.value if cert.revoke_reason else None,
        "revoke_reason_label": REASON_LABELS.get(cert.revoke_reason) if cert.revoke_reason
        else None,
        "superseded_by": successor, "key_id": cert.key_id,
    }
    return out
