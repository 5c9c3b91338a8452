"""Named handling of a case: its 承办人, the item's sign-off chain (签批) and the signatures a
case collects on it, and the decision documents (文书) issued to the applicant.

Every change here also writes a step of the case's chained timeline (``CaseEvent``); these
tables hold what the timeline alone cannot answer quickly (who handles a case now, which step
is next, where a document's PDF is).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class CaseHandler(Model):
    """承办人: the one staff member of the department of a case who handles it now."""

    id = fields.IntField(primary_key=True)
    case: fields.OneToOneRelation[Model] = fields.OneToOneField(
        "cases.Case", related_name="handler", on_delete=fields.CASCADE
    )
    staff: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "core.StaffAccount", related_name="handled_cases", on_delete=fields.RESTRICT
    )
    case_id: int
    staff_id: int
    assigned_by = fields.IntField()  # staff id: the handler (a claim) or whoever assigned
    assigned_at = fields.DatetimeField()

    class Meta:
        table = "case_handler"
        indexes = (("staff_id", "case_id"),)


class SignoffStep(StrEnum):
    """What a signature says."""

    approve = "approve"  # 同意准予
    deny = "deny"  # 同意不予许可
    back = "return"  # 退回: the chain starts again from its first step


class SignoffChain(Model):
    """The sign-off chain of an item, e.g. 承办 → 审核 → 批准, its steps in order.

    ``steps`` is ``[{name, role, staff_id | null, handler: bool}]``: ``staff_id`` names the one
    person who may sign a step, ``handler`` says the 承办人 of the case signs it."""

    id = fields.IntField(primary_key=True)
    item: fields.OneToOneRelation[Model] = fields.OneToOneField(
        "catalogue.ServiceItem", related_name="signoff_chain", on_delete=fields.CASCADE
    )
    item_id: int
    steps = fields.JSONField[list[Any]](default=list)
    updated_by = fields.IntField()
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "signoff_chain"


class CaseChain(Model):
    """The chain a case signs on, copied from its item at the first signature, so that editing
    the item's chain never changes a case half-way through it."""

    id = fields.IntField(primary_key=True)
    case: fields.OneToOneRelation[Model] = fields.OneToOneField(
        "cases.Case", related_name="chain", on_delete=fields.CASCADE
    )
    case_id: int
    steps = fields.JSONField[list[Any]](default=list)
    round = fields.IntField(default=1)  # a 退回 or a move of the case starts a new round
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "case_chain"


class CaseSignoff(Model):
    """One signature on one step of the chain of a case, with the timeline event it wrote."""

    id = fields.BigIntField(primary_key=True)
    case: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "cases.Case", related_name="signoffs", on_delete=fields.CASCADE
    )
    case_id: int
    round = fields.IntField()
    step = fields.IntField()  # 1-based position in the chain
    name = fields.CharField(max_length=32)
    role = fields.CharField(max_length=16)
    staff_id = fields.IntField()
    staff_name = fields.CharField(max_length=64)
    decision = fields.CharEnumField(SignoffStep, max_length=8)
    opinion = fields.TextField(default="")
    legal_basis = fields.TextField(default="")
    event_seq = fields.IntField()
    at = fields.DatetimeField()

    class Meta:
        table = "case_signoff"
        unique_together = (("case", "round", "step"),)


class DocumentKind(StrEnum):
    acceptance = "acceptance"  # 受理通知书
    supplement = "supplement"  # 补正告知书 (一次性告知)
    refusal = "refusal"  # 不予受理决定书
    approval = "approval"  # 准予许可决定书
    denial = "denial"  # 不予许可决定书


class DecisionDocument(Model):
    """A document issued on a case, its PDF kept as a blob.

    ``content`` is what was printed (reasons, legal basis, the 补正 items), so it can be read
    back and rendered again."""

    id = fields.IntField(primary_key=True)
    case: fields.ForeignKeyRelation[Model] = fields.ForeignKeyField(
        "cases.Case", related_name="documents", on_delete=fields.CASCADE
    )
    case_id: int
    kind = fields.CharEnumField(DocumentKind, max_length=16)
    ref = fields.IntField(default=0)  # the 补正 notice of a 补正告知书; 0 for the others
    number = fields.CharField(max_length=64, unique=True)  # 文书编号
    title = fields.CharField(max_length=64)
    blob_key = fields.CharField(max_length=128)
    sha256 = fields.CharField(max_length=64)
    size = fields.IntField()
    content = fields.JSONField[dict[str, Any]](default=dict)
    issued_by = fields.IntField(null=True)  # staff id; None when the system issued it
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "decision_document"
        unique_together = (("case", "kind", "ref"),)
