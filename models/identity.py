"""A natural person (自然人) and the accounts bound to them in each channel.

Personal data is stored encrypted (``*_enc``) with a keyed blind index (``*_bidx``) for
equality look-ups; see ``app/security/pii.py``.
"""

from __future__ import annotations

from typing import Any

from tortoise import fields
from tortoise.models import Model


class Person(Model):
    id = fields.IntField(primary_key=True)
    phone_enc = fields.TextField(null=True)
    phone_bidx = fields.CharField(max_length=64, null=True, unique=True)
    name_enc = fields.TextField(null=True)
    id_number_enc = fields.TextField(null=True)
    id_number_bidx = fields.CharField(max_length=64, null=True, unique=True)
    realname_level = fields.IntField(default=0)  # 0 none, 1 phone, 2 ID checked, 3 face
    realname_source = fields.CharField(max_length=32, null=True)
    realname_at = fields.DatetimeField(null=True)
    status = fields.CharField(max_length=16, default="active")  # active | merged | deleted
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "person"


class ChannelAccount(Model):
    """A login identity in one channel: app phone, WeChat openid, Alipay user id / open id."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "identity.Person", related_name="accounts")
    person_id: int
    channel = fields.CharField(max_length=16)  # app | wechat | alipay
    subject = fields.CharField(max_length=128)  # blind index for app phones, else platform id
    union_id = fields.CharField(max_length=128, null=True, db_index=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    last_login_at = fields.DatetimeField(null=True)

    class Meta:
        table = "channel_account"
        unique_together = (("channel", "subject"),)


class RealNameVerification(Model):
    """Every real-name attempt (全过程留痕): what level it would prove, from which source, and
    how it ended. Holds no plaintext: the ID number only as its blind index."""

    id = fields.BigIntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "identity.Person", related_name="verifications")
    person_id: int
    level = fields.IntField()  # 2 ID check / Alipay certified, 3 face
    source = fields.CharField(max_length=32)  # idcheck | alipay | face
    outcome = fields.CharField(max_length=16)  # match | mismatch | no_record | conflict | invalid
    raw_code = fields.CharField(max_length=32, null=True)
    channel = fields.CharField(max_length=16, null=True)
    id_number_bidx = fields.CharField(max_length=64, null=True, db_index=True)
    # a single-use proof (face token, …) as a hash: the same proof cannot count twice
    proof_hash = fields.CharField(max_length=64, null=True, unique=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "realname_verification"
        indexes = (("person_id", "created_at"),)


class Consent(Model):
    """Separate consent (PIPL art. 29) before sensitive personal data is processed."""

    id = fields.BigIntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "identity.Person", related_name="consents")
    person_id: int
    purpose = fields.CharField(max_length=32)  # realname | face
    text_version = fields.CharField(max_length=32)
    channel = fields.CharField(max_length=16, null=True)
    granted_at = fields.DatetimeField()
    withdrawn_at = fields.DatetimeField(null=True)

    class Meta:
        table = "consent"
        indexes = (("person_id", "purpose"),)


class Company(Model):
    """A legal person (法人), identified by its unified social credit code (public data)."""

    id = fields.IntField(primary_key=True)
    credit_code = fields.CharField(max_length=18, unique=True)
    name = fields.CharField(max_length=200)
    registered_by: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "identity.Person", related_name="registered_companies")
    registered_by_id: int
    created_at = fields.DatetimeField(auto_now_add=True)
    # when the market-regulation registry last named the registering person its legal
    # representative; None: not verified (registered before the check existed), so the
    # company cannot authorise agents or file until its representative verifies it
    verified_at = fields.DatetimeField(null=True)
    registry_status = fields.CharField(max_length=16, null=True)  # EnterpriseStatus

    class Meta:
        table = "company"


class CompanyMember(Model):
    """Who may act for a company: its legal representative, or an 经办人 the representative
    authorised, with a scope (service codes, or ``*``) and an expiry."""

    id = fields.IntField(primary_key=True)
    company: fields.ForeignKeyRelation[Company] = fields.ForeignKeyField(
        "identity.Company", related_name="members")
    company_id: int
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "identity.Person", related_name="company_roles")
    person_id: int
    role = fields.CharField(max_length=16)  # legal_rep | agent
    scope = fields.JSONField[list[Any]](default=list)
    expires_at = fields.DatetimeField(null=True)
    granted_by: fields.ForeignKeyNullableRelation[Person] = fields.ForeignKeyField(
        "identity.Person", related_name="granted_authorisations", null=True
    )
    granted_by_id: int | None
    created_at = fields.DatetimeField(auto_now_add=True)
    revoked_at = fields.DatetimeField(null=True)

    class Meta:
        table = "company_member"
        indexes = (("person_id", "company_id"),)


class PiiAccessLog(Model):
    """A staff read of an unmasked personal value."""

    id = fields.BigIntField(primary_key=True)
    staff_id = fields.IntField(db_index=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "identity.Person", related_name="pii_reads")
    person_id: int
    # phone, name, id_number; with case_id: form.<field name> or material:<id>
    field = fields.CharField(max_length=32)
    reason = fields.CharField(max_length=200)
    case_id = fields.IntField(null=True)  # a read of a case's form field or material
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "pii_access_log"
        indexes = (("case_id", "id"),)


class DeletionRequest(Model):
    """A person asked to delete their account (PIPL art. 47)."""

    id = fields.IntField(primary_key=True)
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "identity.Person", related_name="deletion_requests")
    person_id: int
    status = fields.CharField(max_length=16, default="pending")  # pending | done | cancelled
    reason = fields.CharField(max_length=200, null=True)
    requested_at = fields.DatetimeField()
    completed_at = fields.DatetimeField(null=True)

    class Meta:
        table = "deletion_request"
