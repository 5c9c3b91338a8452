"""Request and answer shapes of the certificate endpoints (documented in OpenAPI)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from models.certificates import RevocationReason


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class RevokeIn(_Strict):
    reason: RevocationReason
    note: str = Field(min_length=1, max_length=500)  # internal; verifiers see the category


class ReissueIn(_Strict):
    corrections: dict[str, str] = Field(default_factory=dict, max_length=12)  # label → value
    note: str = Field(min_length=1, max_length=500)


class StaffListQuery(BaseModel):
    case_id: int | None = Field(None, ge=1, le=2**31 - 1)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class CertificateOut(BaseModel):
    id: int
    number: str
    title: str
    type_code: str
    status: str
    holder: str
    holder_kind: str
    company_id: int | None
    department_id: int
    case_id: int | None
    issued_at: str | None
    valid_until: str | None
    revoked_at: str | None
    revoke_reason: str | None
    supersedes_id: int | None
    superseded_by_id: int | None
    verify_url: str
    key_id: str


class FieldOut(BaseModel):
    label: str
    value: str


class CertificateDetailOut(CertificateOut):
    fields: list[FieldOut]
    statement: str
    department: str
    pdf_sm3: str
    code: str | None = None
    qr_text: str | None = None


class CertificateListOut(BaseModel):
    items: list[CertificateOut]


class VerificationOut(BaseModel):
    id: int
    at: str | None
    outcome: str
    outcome_label: str
    via: str


class VerificationListOut(BaseModel):
    items: list[VerificationOut]


class VerifiedCertificate(BaseModel):
    number: str
    title: str
    type_code: str
    holder: str
    holder_kind: str
    department: str
    issued_at: str | None
    valid_until: str | None
    revoked_at: str | None
    revoke_reason: str | None
    revoke_reason_label: str | None
    superseded_by: dict[str, str] | None
    key_id: str


class VerifyOut(BaseModel):
    """genuine / revoked / expired / superseded / tampered / unknown; holder data masked."""

    status: str
    status_label: str
    checked_at: str | None
    certificate: VerifiedCertificate | None


class SealKeyOut(BaseModel):
    key_id: str
    department: str
    algorithm: str
    curve: str
    user_id: str
    public_key: str
    pem: str
    signs: bool


class SealKeysOut(BaseModel):
    keys: list[SealKeyOut]


class RevocationEntry(BaseModel):
    h: str
    status: str
    reason: str | None
    at: str | None


class RevocationListOut(BaseModel):
    v: int
    issued_at: str
    key_id: str
    hash: str
    entries: list[RevocationEntry]
    signature: str
