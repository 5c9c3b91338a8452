"""What the issuing department does after issuing: revoke (撤销, with a reason category), reissue
after a correction (换发: the new certificate supersedes the old), and the signed revocation
list that offline verifiers download.

Each change locks the certificate row, checks it is still valid, records an event and tells
the holder; a second revocation of the same certificate is refused (409), not repeated.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tortoise.transactions import in_transaction

from app import clock
from app.certificates import content, holders, keys
from app.certificates.issue import Draft, build_async, record
from app.certificates.seal import code_hash
from app.crypto import sm2
from app.errors import Conflict, NotFound, ValidationFailed
from app.kv import KeyValue
from app.outbox import emit
from app.security import pii
from models.certificates import (
    Certificate,
    CertificateEvent,
    CertificateStatus,
    HolderKind,
    RevocationReason,
)
from models.core import Department

LIST_CACHE_KEY = "certificates:revocation-list"
LIST_CACHE_SECONDS = 60


class CertificateNotFound(NotFound):
    code = "CERTIFICATE_NOT_FOUND"
    message = "证明不存在"


async def _locked_valid(cert_id: int, conn: Any) -> Certificate:
    cert = await Certificate.select_for_update().using_db(conn).get_or_none(id=cert_id)
    if cert is None:
        raise CertificateNotFound()
    if cert.status != CertificateStatus.valid:
        raise Conflict("该证明已撤销或已换发", code="CERTIFICATE_NOT_VALID",
                       fields={"status": cert.status.value})
    return cert


async def revoke(cert: Certificate, staff_id: int, reason: RevocationReason, note: str,
                 kv: KeyValue) -> Certificate:
    at = clock.now()
    async with in_transaction() as conn:
        locked = await _locked_valid(cert.id, conn)
        locked.status = CertificateStatus.revoked
        locked.revoked_at = at
        locked.revoke_reason = reason
        await locked.save(update_fields=["status", "revoked_at", "revoke_reason"], using_db=conn)
        await CertificateEvent.create(
            certificate_id=locked.id, at=at, actor_kind="staff", actor_id=str(staff_id),
            from_status=CertificateStatus.valid.value, to_status=locked.status.value,
            reason=f"{reason.value}: {note}", using_db=conn,
        )
        await emit(
            "certificate.revoked", aggregate="certificate", aggregate_id=locked.id,
            payload={"certificate_id": locked.id, "title": locked.title,
                     "number": locked.number, "person_id": locked.person_id},
            person_id=locked.person_id, connection=conn,
        )
    await kv.delete(LIST_CACHE_KEY)
    return locked


async def reissue(cert: Certificate, staff_id: int, corrections: dict[str, str], note: str,
                  kv: KeyValue) -> Certificate:
    """A corrected certificate (lines replaced by label) that supersedes ``cert``."""
    if cert.status != CertificateStatus.valid:
        raise Conflict("该证明已撤销或已换发", code="CERTIFICATE_NOT_VALID",
                       fields={"status": cert.status.value})
    signed = json.loads(_plain(cert))
    labels = {label for label, _ in signed["fields"]}
    unknown = sorted(set(corrections) - labels)
    if unknown:
        raise ValidationFailed("更正的项目不在证明上", code="CERTIFICATE_FIELD_UNKNOWN",
                               fields={f"corrections.{k}": "证明上没有此项" for k in unknown})
    holder = (await holders.company_holder(cert.company_id)
              if cert.holder_kind == HolderKind.company and cert.company_id
              else await holders.person_holder(cert.person_id))
    dept = await Department.get(id=cert.department_id)
    seq = await Certificate.filter(case_id=cert.case_id).count() + 1 if cert.case_id else 2
    base = cert.number.rsplit("-", 1)[0]
    draft = Draft(
        type_code=cert.type_code, title=cert.title, statement=signed.get("statement", ""),
        valid_days=None, holder=holder, person_id=cert.person_id, department_id=dept.id,
        department_code=dept.code, department_name=dept.name, number=f"{base}-{seq:02d}",
        rows=[(label, corrections.get(label, value)) for label, value in signed["fields"]],
        case_id=cert.case_id, case_no=signed.get("case_no"), supersedes=cert,
        expires=cert.valid_until,
    )
    built = await build_async(draft)
    at = clock.now()
    async with in_transaction() as conn:
        old = await _locked_valid(cert.id, conn)
        new = await record(built, "staff", str(staff_id), conn)
        old.status = CertificateStatus.superseded
        old.superseded_by_id = new.id
        await old.save(update_fields=["status", "superseded_by_id"], using_db=conn)
        await CertificateEvent.create(
            certificate_id=old.id, at=at, actor_kind="staff", actor_id=str(staff_id),
            from_status=CertificateStatus.valid.value, to_status=old.status.value,
            reason=f"换发为 {new.number}: {note}", using_db=conn,
        )
    await kv.delete(LIST_CACHE_KEY)
    return new


def _plain(cert: Certificate) -> str:
    return pii.decrypt(cert.content_enc)


async def revocation_list(kv: KeyValue) -> dict[str, Any]:
    """Every revoked or superseded certificate, by the hash of its code, signed with the
    list key; cached for a minute (a revocation drops the cache)."""
    cached = await kv.get(LIST_CACHE_KEY)
    if cached:
        return dict(json.loads(cached))
    rows = await Certificate.filter(
        status__in=[CertificateStatus.revoked, CertificateStatus.superseded]
    ).order_by("id").values("code", "status", "revoked_at", "revoke_reason", "created_at")
    entries = [
        {"h": code_hash(r["code"]), "status": str(r["status"]),
         "reason": str(r["revoke_reason"]) if r["revoke_reason"] else None,
         "at": clock.iso(r["revoked_at"] or r["created_at"])}
        for r in rows
    ]
    key = keys.keyring().list_key()
    body = {"v": 1, "issued_at": clock.iso(clock.now()), "key_id": key.key_id,
            "hash": "SM3('ZSB-CRL-1:' + code)[:16 bytes] hex", "entries": entries}
    assert key.private is not None
    signature = await asyncio.to_thread(sm2.sign, key.private, list_message(body))
    signed = {**body, "signature": signature.hex()}
    await kv.set(LIST_CACHE_KEY, json.dumps(signed, ensure_ascii=False), ex=LIST_CACHE_SECONDS)
    return signed


def list_message(body: dict[str, Any]) -> bytes:
    unsigned = {k: v for k, v in body.items() if k != "signature"}
    return b"ZSB-CRL-1\n" + content.canonical(unsigned)


def list_hashes(signed: dict[str, Any], lookup: Any) -> frozenset[str] | None:
    """The revoked hashes of a downloaded list, or None when its signature does not hold."""
    public = lookup(str(signed.get("key_id", "")))
    try:
        signature = bytes.fromhex(str(signed.get("signature", "")))
    except ValueError:
        return None
    if public is None or not sm2.verify(public, list_message(signed), signature):
        return None
    return frozenset(str(e["h"]) for e in signed.get("entries", []))
