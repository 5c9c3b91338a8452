"""告知承诺制 and 容缺受理: pledges signed instead of materials, their post-checks (事后核查), the
credit records a false pledge leaves, and the materials a case was accepted without (容缺).

The item's material list says which materials allow a pledge or may be missing
(``app.catalogue.schemas.Pledge`` / ``Tolerance``); these rows are what happened on a case.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.models import Model


class PledgeStatus(StrEnum):
    signed = "signed"  # before 受理: stands in for the material
    checking = "checking"  # accepted on it, the post-check is due by ``check_due``
    confirmed = "confirmed"  # the post-check found the pledge true
    false = "false"  # found false: result revoked (or the case denied) and a credit record
    void = "void"  # the case ended before 受理 (withdrawn, refused)


class Pledge(Model):
    """告知承诺书 signed by the applicant for one material of one case."""

    id = fields.IntField(primary_key=True)
    case_id = fields.IntField(db_index=True)
    department_id = fields.IntField()
    person_id = fields.IntField(db_index=True)
    company_id = fields.IntField(null=True)
    material_code = fields.CharField(max_length=64)
    material_name = fields.CharField(max_length=200)
    text = fields.TextField()  # the text signed, as it read
    text_version = fields.IntField()
    text_sha256 = fields.CharField(max_length=64)
    realname_level = fields.IntField()  # the signer's level when signing
    signed_at = fields.DatetimeField()
    status = fields.CharEnumField(PledgeStatus, max_length=16, default=PledgeStatus.signed)
    check_workdays = fields.IntField()
    check_due = fields.DatetimeField(null=True)  # set at 受理
    checked_by = fields.IntField(null=True)
    checked_at = fields.DatetimeField(null=True)
    finding = fields.TextField(null=True)
    consequence = fields.CharField(max_length=16, null=True)  # denied | result_revoked
    overdue_at = fields.DatetimeField(null=True)  # the check ran late: the department was alerted

    class Meta:
        table = "reform_pledge"
        unique_together = (("case_id", "material_code"),)
        indexes = (("department_id", "status", "check_due"), ("status", "check_due"))


class CreditRecord(Model):
    """信用记录: a fact staff of every department may read (a false pledge)."""

    id = fields.IntField(primary_key=True)
    person_id = fields.IntField(db_index=True)
    company_id = fields.IntField(null=True, db_index=True)
    kind = fields.CharField(max_length=32)  # false_pledge
    case_id = fields.IntField()
    case_no = fields.CharField(max_length=32)
    item_name = fields.CharField(max_length=200)
    pledge_id = fields.IntField(unique=True)
    department_id = fields.IntField()
    note = fields.TextField()
    recorded_by = fields.IntField()
    recorded_at = fields.DatetimeField()

    class Meta:
        table = "reform_credit_record"


class ToleranceStatus(StrEnum):
    outstanding = "outstanding"
    supplied = "supplied"


class ToleratedMaterial(Model):
    """A material the case was accepted without (容缺受理), with its 补齐 deadline."""

    id = fields.IntField(primary_key=True)
    case_id = fields.IntField(db_index=True)
    department_id = fields.IntField()
    person_id = fields.IntField()
    material_code = fields.CharField(max_length=64)
    material_name = fields.CharField(max_length=200)
    hold = fields.CharField(max_length=16)  # result | delivery
    due_at = fields.DatetimeField()
    status = fields.CharEnumField(ToleranceStatus, max_length=16,
                                  default=ToleranceStatus.outstanding)
    material_id = fields.IntField(null=True)  # the material that supplied it
    supplied_at = fields.DatetimeField(null=True)
    reminded_at = fields.DatetimeField(null=True)
    overdue_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reform_tolerated_material"
        unique_together = (("case_id", "material_code"),)
        indexes = (("status", "due_at"),)
