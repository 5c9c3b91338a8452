"""Certificates we issue (证明 / 批文 / 电子证照), their timeline, every verification of them,
and where a material standing in for an upload came from (免提交).

A certificate's content is sealed: ``content_enc`` holds the canonical content (encrypted,
it names the holder) that the department's SM2 seal signed together with the PDF's SM3 digest.
What the public sees is masked and comes from that signed content, never from loose columns.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.core import Department


class CertificateStatus(StrEnum):
    valid = "valid"
    revoked = "revoked"  # 撤销 by the issuing department
    superseded = "superseded"  # replaced by a corrected certificate (换发)


class HolderKind(StrEnum):
    person = "person"
    company = "company"


class RevocationReason(StrEnum):
    """The category shown to verifiers; the free-text note stays internal."""

    issued_in_error = "issued_in_error"  # 错误签发
    information_changed = "information_changed"  # 登记信息变更
    holder_request = "holder_request"  # 持证人申请注销
    obtained_by_fraud = "obtained_by_fraud"  # 以欺骗等不正当手段取得
    other = "other"  # 其他


class VerificationOutcome(StrEnum):
    genuine = "genuine"
    revoked = "revoked"
    expired = "expired"
    superseded = "superseded"
    unknown = "unknown"
    tampered = "tampered"  # the stored record no longer matches its seal


class Certificate(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=40, unique=True)  # 证照编号, printed
    code = fields.CharField(max_length=32, unique=True)  # public verification code (100 bits)
    type_code = fields.CharField(max_length=32)  # 证照类型代码 (证照目录)
    title = fields.CharField(max_length=64)
    holder_kind = fields.CharEnumField(HolderKind, max_length=8)
    person_id = fields.IntField(db_index=True)  # who applied (and is told of verifications)
    company_id = fields.IntField(null=True, db_index=True)  # the holder when a company
    holder_masked = fields.CharField(max_length=64)  # 张*, 杭州某某有限公司 → public
    # blind index of the holder's ID number / credit code: a certificate offered as a material
    # must belong to the applicant
    holder_bidx = fields.CharField(max_length=64, db_index=True)
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "core.Department", related_name="certificates", on_delete=fields.RESTRICT
    )
    department_id: int
    case_id = fields.IntField(null=True, db_index=True)
    issued_at = fields.DatetimeField()
    valid_until = fields.DatetimeField(null=True)  # None: no expiry
    status = fields.CharEnumField(CertificateStatus, max_length=12, default="valid")
    revoked_at = fields.DatetimeField(null=True)
    revoke_reason = fields.CharEnumField(RevocationReason, max_length=24, null=True)
    superseded_by_id = fields.IntField(null=True)
    supersedes_id = fields.IntField(null=True)
    key_id = fields.CharField(max_length=32)  # the seal key that signed
    content_enc = fields.TextField()  # canonical content (JSON), encrypted
    pdf_sm3 = fields.CharField(max_length=64)
    pdf_key = fields.CharField(max_length=128)  # blob key of the sealed PDF
    seal_signature = fields.CharField(max_length=128)  # hex r ‖ s over content + pdf_sm3
    qr_text = fields.TextField()  # what the QR code says: URL + signed offline payload
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "certificate"


class CertificateEvent(Model):
    """Every state change of a certificate (全过程留痕): issued, revoked, superseded."""

    id = fields.BigIntField(primary_key=True)
    certificate: fields.ForeignKeyRelation[Certificate] = fields.ForeignKeyField(
        "certificates.Certificate", related_name="events", on_delete=fields.CASCADE
    )
    certificate_id: int
    at = fields.DatetimeField()
    actor_kind = fields.CharField(max_length=16)  # staff | system
    actor_id = fields.CharField(max_length=64)
    from_status = fields.CharField(max_length=12, null=True)
    to_status = fields.CharField(max_length=12)
    reason = fields.TextField(null=True)

    class Meta:
        table = "certificate_event"
        indexes = (("certificate_id", "id"),)


class CertificateVerification(Model):
    """One look-up at ``/verify/<code>``. The verifier is kept only as a keyed hash of the IP."""

    id = fields.BigIntField(primary_key=True)
    certificate: fields.ForeignKeyNullableRelation[Certificate] = fields.ForeignKeyField(
        "certificates.Certificate", related_name="verifications", null=True,
        on_delete=fields.CASCADE,
    )
    certificate_id: int | None
    at = fields.DatetimeField()
    outcome = fields.CharEnumField(VerificationOutcome, max_length=12)
    via = fields.CharField(max_length=8)  # html | json
    ip_hash = fields.CharField(max_length=64)
    user_agent = fields.CharField(max_length=120, default="")

    class Meta:
        table = "certificate_verification"
        indexes = (("certificate_id", "id"),)


class MaterialSource(Model):
    """Where a material that stands in for an upload came from (免提交): the licence library or
    one of our certificates, with what was checked when it was used."""

    id = fields.IntField(primary_key=True)
    material_id = fields.IntField(unique=True)
    case_id = fields.IntField(db_index=True)
    source = fields.CharField(max_length=16)  # licence_library | certificate
    licence_id = fields.CharField(max_length=64)  # the wallet id
    type_code = fields.CharField(max_length=32)
    type_name = fields.CharField(max_length=64)
    number_enc = fields.TextField()  # licence number, encrypted (it may be an ID number)
    issuer = fields.CharField(max_length=128)
    valid_from = fields.DateField(null=True)
    valid_until = fields.DateField(null=True)
    holder_bidx = fields.CharField(max_length=64)
    certificate_id = fields.IntField(null=True)
    signature = fields.TextField(default="")  # the library's signature over the record
    fetched_at = fields.DatetimeField()

    class Meta:
        table = "material_source"
