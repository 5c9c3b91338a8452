"""Cases (办件): the case, its chained timeline, materials, 补正 notices and clock pauses.

A case keeps the item version it was filed under. Every status change goes through
``app.cases.transitions.transition`` which writes a ``CaseEvent`` chained by SM3 over the
previous event (tampering shows) and an outbox event in the same transaction.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.catalogue import ServiceItem, ServiceItemVersion
    from models.core import Department
    from models.identity import Person


class CaseStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"  # 收件, awaiting pre-review
    supplement_requested = "supplement_requested"  # 补正 outstanding
    resubmitted = "resubmitted"
    accepted = "accepted"  # 受理 — the time limit starts
    refused = "refused"  # 不予受理
    under_review = "under_review"  # 审查 / 审批中
    special_stage = "special_stage"  # 特别程序 (expert review, hearing, on-site check …)
    approved = "approved"
    denied = "denied"
    fee_due = "fee_due"
    paid = "paid"
    result_issued = "result_issued"  # 出件
    delivering = "delivering"
    completed = "completed"  # 办结
    withdrawn = "withdrawn"  # 撤回 by the applicant before 受理


class Case(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)  # 办件编号, e.g. 202611220000017
    person: fields.ForeignKeyRelation[Person] = fields.ForeignKeyField(
        "identity.Person", related_name="cases", on_delete=fields.RESTRICT
    )
    person_id: int
    company_id = fields.IntField(null=True, db_index=True)  # filing for a company (经办人)
    item: fields.ForeignKeyRelation[ServiceItem] = fields.ForeignKeyField(
        "catalogue.ServiceItem", related_name="cases", on_delete=fields.RESTRICT
    )
    item_id: int
    item_version: fields.ForeignKeyRelation[ServiceItemVersion] = fields.ForeignKeyField(
        "catalogue.ServiceItemVersion", related_name="cases", on_delete=fields.RESTRICT
    )
    item_version_id: int
    item_name = fields.CharField(max_length=200)
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "core.Department", related_name="cases", on_delete=fields.RESTRICT
    )
    department_id: int
    channel = fields.CharField(max_length=16, default="app")  # app | wechat | alipay
    form_data = fields.JSONField[dict[str, Any]](default=dict)
    status = fields.CharEnumField(CaseStatus, max_length=24, default=CaseStatus.draft)
    delivery = fields.CharField(max_length=16, default="window")  # window | express
    # where fees fall due: "submission" | "approval", None when the item has no fees
    fee_stage = fields.CharField(max_length=16, null=True)
    fee_total_fen = fields.IntField(default=0)
    special_stage = fields.CharField(max_length=64, null=True)  # name while in 特别程序
    supervision_flag = fields.BooleanField(default=False)  # e.g. a second 补正 in one stage
    decision_reason = fields.TextField(null=True)
    result_note = fields.TextField(null=True)
    # clocks: limits copied from the version at 受理, counted in working days
    promised_limit_days = fields.IntField(default=0)
    legal_limit_days = fields.IntField(default=0)
    submitted_at = fields.DatetimeField(null=True)
    accepted_at = fields.DatetimeField(null=True)  # clock start
    decided_at = fields.DatetimeField(null=True)  # clock stop (approved / denied / refused)
    paid_at = fields.DatetimeField(null=True)
    result_issued_at = fields.DatetimeField(null=True)
    completed_at = fields.DatetimeField(null=True)
    withdrawn_at = fields.DatetimeField(null=True)
    clock_alert = fields.CharField(max_length=8, default="")  # last colour alerted: yellow, red
    event_seq = fields.IntField(default=0)  # seq of the last CaseEvent (the chain head)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    # the personal form fields are sealed inside the document (``enc:`` values)
    ENCRYPTED_JSON_FIELDS: ClassVar[tuple[str, ...]] = ("form_data",)

    class Meta:
        table = "case_record"
        # (status, clock_alert): the running cases overdue now, across departments (电子监察)
        indexes = (("department_id", "status"), ("person_id", "id"), ("status", "clock_alert"),
                   ("department_id", "id"))


class CaseEvent(Model):
    """One step of the timeline (全过程留痕). ``hash = HMAC-SM3(key, prev_hash ‖ canonical
    event)`` under ``key_id`` (NULL: a legacy link, plain SM3; ``app/cases/chain.py``)."""

    id = fields.BigIntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "cases.Case", related_name="events", on_delete=fields.CASCADE)
    case_id: int
    seq = fields.IntField()
    actor_kind = fields.CharField(max_length=16)  # citizen | staff | system | platform
    actor_id = fields.CharField(max_length=64)
    actor_name = fields.CharField(max_length=64, null=True)
    from_status = fields.CharField(max_length=24, null=True)
    to_status = fields.CharField(max_length=24)
    reason = fields.TextField(null=True)
    data = fields.JSONField[dict[str, Any]](default=dict)
    at = fields.DatetimeField()
    prev_hash = fields.CharField(max_length=64)
    hash = fields.CharField(max_length=64)
    key_id = fields.CharField(max_length=16, null=True)

    class Meta:
        table = "case_event"
        unique_together = (("case", "seq"),)
        indexes = (("at",),)  # a day's events, for the supervision rollup


class CaseChainAudit(Model):
    """What the last chain audit found for one case (``app/cases/chain_audit.py``), and the
    keyed seal over its legacy (unkeyed) prefix when it has one."""

    case: fields.OneToOneRelation[Case] = fields.OneToOneField(
        "cases.Case", related_name="chain_audit", primary_key=True,
                                on_delete=fields.CASCADE)
    case_id: int
    checked_at = fields.DatetimeField()
    checked_seq = fields.IntField()  # the newest event the audit saw
    broken_seq = fields.IntField(null=True)  # the first broken link; NULL: the chain held
    finding = fields.CharField(max_length=24, null=True)  # chain_audit.Finding
    legacy_seq = fields.IntField(default=0)  # unkeyed links up to here are sealed
    legacy_hash = fields.CharField(max_length=64, null=True)
    legacy_mac = fields.CharField(max_length=64, null=True)  # HMAC-SM3 over the three above
    legacy_key_id = fields.CharField(max_length=16, null=True)

    class Meta:
        table = "case_chain_audit"
        indexes = (("broken_seq",),)


class Material(Model):
    """An uploaded file (stored under ``settings.upload_dir`` by SHA-256) or an e-licence
    reference standing in for a material."""

    # the file is sealed in the store (``app.storage``), its name sealed here: rotated too
    ENCRYPTED_FIELDS: ClassVar[tuple[str, ...]] = ("filename",)

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "cases.Case", related_name="materials", on_delete=fields.CASCADE)
    case_id: int
    code = fields.CharField(max_length=64)  # the material's code in the item version
    name = fields.CharField(max_length=200)
    kind = fields.CharField(max_length=16)  # upload | elicence
    filename = fields.CharField(max_length=255, null=True)
    content_type = fields.CharField(max_length=128, null=True)
    size = fields.IntField(default=0)
    sha256 = fields.CharField(max_length=64, null=True)
    storage_path = fields.CharField(max_length=255, null=True)
    elicence_type = fields.CharField(max_length=64, null=True)
    elicence_ref_enc = fields.TextField(null=True)  # licence number, encrypted (may be an ID)
    superseded = fields.BooleanField(default=False)  # replaced, e.g. while answering 补正
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "case_material"
        indexes = (("case_id", "id"),)


class SupplementNotice(Model):
    """一次性告知: every defect of every material in one notice, with a deadline."""

    items: fields.ReverseRelation[SupplementItem]
    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "cases.Case", related_name="supplement_notices", on_delete=fields.CASCADE
    )
    case_id: int
    round = fields.IntField()  # 1, 2 … within the case
    stage = fields.CharField(max_length=16)  # intake (before 受理) | review
    # pending_signoff (second notice in a stage) | open | answered | cancelled | expired
    status = fields.CharField(max_length=16)
    note = fields.TextField(default="")
    deadline = fields.DatetimeField()
    requested_by = fields.IntField()  # staff id
    signed_off_by = fields.IntField(null=True)
    signed_off_at = fields.DatetimeField(null=True)
    supervision_flag = fields.BooleanField(default=False)
    opened_at = fields.DatetimeField(null=True)
    answered_at = fields.DatetimeField(null=True)
    reminded_at = fields.DatetimeField(null=True)  # the applicant was told the deadline nears
    overdue_at = fields.DatetimeField(null=True)  # the deadline passed unanswered
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "supplement_notice"
        unique_together = (("case", "round"),)


class SupplementItem(Model):
    id = fields.IntField(primary_key=True)
    notice: fields.ForeignKeyRelation[SupplementNotice] = fields.ForeignKeyField(
        "cases.SupplementNotice", related_name="items", on_delete=fields.CASCADE
    )
    notice_id: int
    material_code = fields.CharField(max_length=64)
    material_name = fields.CharField(max_length=200)
    problem = fields.TextField()  # what is wrong
    requirement = fields.TextField()  # what to provide
    legal_clause = fields.TextField(default="")
    answer_text = fields.TextField(null=True)
    answer_material: fields.ForeignKeyNullableRelation[Material] = fields.ForeignKeyField(
        "cases.Material", related_name=None, null=True, on_delete=fields.SET_NULL
    )
    answer_material_id: int | None
    answered_at = fields.DatetimeField(null=True)

    class Meta:
        table = "supplement_item"
        indexes = (("notice_id", "id"),)


class ClockPause(Model):
    """A span that does not count toward the time limit: 补正 outstanding, or a special stage
    whose days do not count."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Case] = fields.ForeignKeyField(
        "cases.Case", related_name="pauses", on_delete=fields.CASCADE)
    case_id: int
    kind = fields.CharField(max_length=16)  # supplement | special_stage
    name = fields.CharField(max_length=64, default="")
    started_at = fields.DatetimeField()
    ended_at = fields.DatetimeField(null=True)

    class Meta:
        table = "case_clock_pause"
        indexes = (("case_id", "id"),)


class CaseNumberCounter(Model):
    """Per-day sequence behind case numbers (incremented with an atomic upsert)."""

    day = fields.CharField(max_length=8, primary_key=True)  # yyyymmdd, Asia/Shanghai
    value = fields.IntField(default=0)

    class Meta:
        table = "case_number_counter"
