"""Issuing a certificate: gather what it says (``prepare``), seal and render it off the event
loop (``build``: SM2 signatures, the PDF, the stored blob), then write it in the caller's
transaction (``record``) beside the state change that caused it.

The heavy part runs before any transaction is opened, so no row lock waits on reportlab or
SM2; a build whose transaction then fails leaves only an unreferenced blob behind.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from tortoise.backends.base.client import BaseDBAsyncClient

from app import blobs, clock
from app.catalogue.schemas import ResultTemplate
from app.certificates import codes, content, keys
from app.certificates.holders import Holder
from app.crypto import sm2
from app.documents.pdf import OfficialDocument, render
from app.outbox import emit
from app.security import pii
from app.settings import get_settings
from models.certificates import Certificate, CertificateEvent, CertificateStatus

DEFAULT_TEMPLATE = {
    "type_code": "ZSB-RESULT", "title": "办理结果证明",
    "fields": [{"label": "办理事项", "source": "item.name"},
               {"label": "申请人", "source": "holder.name"},
               {"label": "证件号码", "source": "holder.id_number"},
               {"label": "办件编号", "source": "case.number"},
               {"label": "办理结果", "source": "case.result_note"}],
    "statement": "经审核，上述事项已办理完毕，特此证明。",
}


def template_for(result_template: dict[str, Any] | None,
                 delivery_options: list[str] | None) -> ResultTemplate | None:
    """The item's certificate: its own template, or the default one when the result is
    delivered only electronically (电子送达); None when issuing makes no certificate."""
    if result_template:
        return ResultTemplate.model_validate(result_template)
    if list(delivery_options or []) == ["online"]:
        return ResultTemplate.model_validate(DEFAULT_TEMPLATE)
    return None


@dataclass(frozen=True)
class Draft:
    """Everything a certificate says, before it is sealed."""

    type_code: str
    title: str
    statement: str
    valid_days: int | None
    holder: Holder
    person_id: int
    department_id: int
    department_code: str
    department_name: str
    number: str
    rows: list[tuple[str, str]]
    case_id: int | None = None
    case_no: str | None = None
    supersedes: Certificate | None = None
    issued_at: datetime = field(default_factory=clock.now)
    expires: datetime | None = None  # a reissue keeps the validity of what it replaces

    @property
    def valid_until(self) -> datetime | None:
        if self.expires is not None:
            return self.expires
        days = self.valid_days or get_settings().certificate_valid_days
        return self.issued_at + timedelta(days=days)


def rows_for(template: ResultTemplate, holder: Holder, values: dict[str, Any]) -> list[
        tuple[str, str]]:
    """The printed lines: ``values`` maps ``case.*``, ``item.*`` and ``form.*`` sources."""
    out = []
    for f in template.fields:
        value: Any
        if f.source == "holder.name":
            value = holder.name
        elif f.source in ("holder.id_number", "holder.credit_code"):
            value = holder.printed_id
        else:
            value = values.get(f.source)
        out.append((f.label, "" if value is None else str(value)))
    return out


@dataclass(frozen=True)
class Built:
    draft: Draft
    code: str
    key_id: str
    content_json: bytes
    qr_text: str
    pdf_sm3: str
    pdf_key: str
    signature: bytes
    pdf: bytes = b""


def content_of(draft: Draft, code: str) -> dict[str, Any]:
    return {
        "v": 1, "number": draft.number, "code": code, "type_code": draft.type_code,
        "title": draft.title,
        "holder": {"kind": draft.holder.kind.value, "name": draft.holder.name,
                   "id": draft.holder.printed_id, "masked": draft.holder.masked},
        "department": {"code": draft.department_code, "name": draft.department_name},
        "issued_at": clock.iso(draft.issued_at), "valid_until": clock.iso(draft.valid_until),
        "fields": [list(r) for r in draft.rows], "statement": draft.statement,
        "case_no": draft.case_no,
        "supersedes": draft.supersedes.number if draft.supersedes else None,
    }


def _date_text(dt: datetime) -> str:
    return clock.local(dt).strftime("%Y年%m月%d日")


def build(draft: Draft) -> Built:
    """Seal and render (blocking: SM2, reportlab). ``build_async`` also stores the PDF."""
    key = keys.keyring().signing_key(draft.department_code)
    assert key.private is not None  # signing_key answers private keys only
    code = codes.new_code()
    content_json = content.canonical(content_of(draft, code))
    until = draft.valid_until
    claim = content.OfflineClaim(
        code=code, type_code=draft.type_code, holder=draft.holder.masked,
        issued=clock.local(draft.issued_at).date(),
        valid_until=clock.local(until).date() if until else None, key_id=key.key_id,
    )
    body = content.payload_body(claim)
    qr_sig = sm2.sign(key.private, content.payload_message(body))
    base = get_settings().public_base_url.rstrip("/")
    qr_text = f"{base}/verify/{code}#{body}.{content.b64e(qr_sig)}"
    rows = list(draft.rows)
    if until:
        rows.append(("有效期至", _date_text(until)))
    pdf = render(OfficialDocument(
        title=draft.title, number=draft.number, rows=rows,
        paragraphs=[draft.statement] if draft.statement else [],
        department=draft.department_name, date_text=_date_text(draft.issued_at),
        qr_text=qr_text,
        qr_caption=["扫描二维码或访问以下网址查验真伪：", f"{base}/verify/{code}",
                    f"查验码：{codes.grouped(code)}",
                    f"电子印章：SM2 · 密钥标识 {key.key_id}"],
        footer=["本证明加盖电子印章，与纸质证明具有同等效力。",
                *([f"本证明替代编号为 {draft.supersedes.number} 的证明。"]
                  if draft.supersedes else [])],
        subject=f"{draft.title} {draft.number}",
    ))
    pdf_sm3 = sm2.sm3(pdf).hex()
    signature = sm2.sign(key.private, content.seal_message(content_json, pdf_sm3))
    sealed = content.seal_pdf(pdf, key.key_id, content_json, signature)
    pdf_key = blobs.key_for(sealed, kind="certificates")
    return Built(draft, code, key.key_id, content_json, qr_text, pdf_sm3, pdf_key, signature,
                 sealed)


async def build_async(draft: Draft) -> Built:
    built = await asyncio.to_thread(build, draft)
    await blobs.put_at(built.pdf_key, built.pdf)
    return built


async def record(built: Built, actor_kind: str, actor_id: str,
                 conn: BaseDBAsyncClient) -> Certificate:
    """Write the certificate, its first event and the holder's notice (in ``conn``)."""
    d = built.draft
    cert = await Certificate.create(
        number=d.number, code=built.code, type_code=d.type_code,
        title=d.title, holder_kind=d.holder.kind, person_id=d.person_id,
        company_id=d.holder.company_id, holder_masked=d.holder.masked,
        holder_bidx=d.holder.bidx, department_id=d.department_id, case_id=d.case_id,
        issued_at=d.issued_at, valid_until=d.valid_until, status=CertificateStatus.valid,
        supersedes_id=d.supersedes.id if d.supersedes else None, key_id=built.key_id,
        content_enc=pii.encrypt(built.content_json.decode()), pdf_sm3=built.pdf_sm3,
        pdf_key=built.pdf_key, seal_signature=built.signature.hex(), qr_text=built.qr_text,
        using_db=conn,
    )
    await CertificateEvent.create(
        certificate_id=cert.id, at=d.issued_at, actor_kind=actor_kind, actor_id=actor_id,
        from_status=None, to_status=CertificateStatus.valid.value,
        reason=f"换发，替代 {d.supersedes.number}" if d.supersedes else "签发", using_db=conn,
    )
    await emit(
        "certificate.issued", aggregate="certificate", aggregate_id=cert.id,
        payload={"certificate_id": cert.id, "title": cert.title, "number": cert.number,
                 "person_id": d.person_id},
        person_id=d.person_id, connection=conn,
    )
    return cert
