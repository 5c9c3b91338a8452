"""How certificates read to their holder, to staff and to verifiers (always masked)."""

from __future__ import annotations

import json
from typing import Any

from app import clock
from app.security import pii
from models.certificates import (
    Certificate,
    CertificateEvent,
    CertificateVerification,
    RevocationReason,
    VerificationOutcome,
)

V = VerificationOutcome
STATUS_LABELS: dict[VerificationOutcome, str] = {
    V.genuine: "真实有效", V.revoked: "已撤销", V.expired: "已过期", V.superseded: "已换发",
    V.unknown: "未查询到该证明", V.tampered: "记录与电子印章不符",
}
REASON_LABELS: dict[RevocationReason, str] = {
    RevocationReason.issued_in_error: "错误签发",
    RevocationReason.information_changed: "登记信息变更",
    RevocationReason.holder_request: "持证人申请注销",
    RevocationReason.obtained_by_fraud: "以不正当手段取得",
    RevocationReason.other: "其他原因",
}


def signed_content(cert: Certificate) -> dict[str, Any]:
    return dict(json.loads(pii.decrypt(cert.content_enc)))


def summary(cert: Certificate) -> dict[str, Any]:
    return {
        "id": cert.id, "number": cert.number, "title": cert.title, "type_code": cert.type_code,
        "status": cert.status.value, "holder": cert.holder_masked,
        "holder_kind": cert.holder_kind.value, "company_id": cert.company_id,
        "department_id": cert.department_id, "case_id": cert.case_id,
        "issued_at": clock.iso(cert.issued_at), "valid_until": clock.iso(cert.valid_until),
        "revoked_at": clock.iso(cert.revoked_at),
        "revoke_reason": cert.revoke_reason.value if cert.revoke_reason else None,
        "supersedes_id": cert.supersedes_id, "superseded_by_id": cert.superseded_by_id,
        "verify_url": f"/verify/{cert.code}", "key_id": cert.key_id,
    }


def detail(cert: Certificate, *, for_holder: bool) -> dict[str, Any]:
    """The holder sees their own lines as printed (already masked where printed masked) and
    the QR text; staff see the same lines."""
    signed = signed_content(cert)
    out = summary(cert)
    out.update(
        fields=[{"label": label, "value": value} for label, value in signed["fields"]],
        statement=signed.get("statement", ""), department=signed["department"]["name"],
        pdf_sm3=cert.pdf_sm3,
    )
    if for_holder:
        out.update(code=cert.code, qr_text=cert.qr_text)
    return out


def verification_view(v: CertificateVerification) -> dict[str, Any]:
    return {"id": v.id, "at": clock.iso(v.at), "outcome": v.outcome.value,
            "outcome_label": STATUS_LABELS[v.outcome], "via": v.via}


def event_view(e: CertificateEvent) -> dict[str, Any]:
    return {"at": clock.iso(e.at), "actor_kind": e.actor_kind, "from": e.from_status,
            "to": e.to_status, "reason": e.reason}
