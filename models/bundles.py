"""一件事 (bundled applications, 联审联办): catalogue bundles of member items, versioned like
items, and the applications citizens file against them — one form, one material list, one
submission and one payment, each member a case of its own department.

The shapes of a version's JSON columns are ``app.reforms.bundle_schemas.BundleGuide``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from tortoise import fields
from tortoise.models import Model


class Bundle(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=64, unique=True)
    lead_department_id = fields.IntField(db_index=True)  # 牵头部门
    published_version_id = fields.IntField(null=True)  # a plain column, as for items
    published = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reform_bundle"


class BundleVersion(Model):
    id = fields.IntField(primary_key=True)
    bundle: fields.ForeignKeyRelation[Bundle] = fields.ForeignKeyField(
        "reforms.Bundle", related_name="versions")
    bundle_id: int
    version = fields.IntField()
    name = fields.CharField(max_length=200)
    description = fields.TextField(default="")
    keywords = fields.JSONField[list[Any]](default=list)
    # [{item_code, required, when: {field, in: [...]} | null, excludes: [item_code]}]
    members = fields.JSONField[list[Any]](default=list)
    # questions of the bundle itself that select members: [{name, label, type, options}]
    selectors = fields.JSONField[list[Any]](default=list)
    # {item_code: {member field name: bundle field name}}: fields asked once under one name
    field_map = fields.JSONField[dict[str, Any]](default=dict)
    # [{key, name, members: {item_code: material_code}}]: one upload serving several members
    shared_materials = fields.JSONField[list[Any]](default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reform_bundle_version"
        unique_together = (("bundle", "version"),)


class ApplicationStatus(StrEnum):
    draft = "draft"
    submitted = "submitted"  # members filed; their own states say the rest
    withdrawn = "withdrawn"


class BundleApplication(Model):
    id = fields.IntField(primary_key=True)
    number = fields.CharField(max_length=32, unique=True)
    bundle_id = fields.IntField()
    bundle_version_id = fields.IntField()
    bundle_name = fields.CharField(max_length=200)
    lead_department_id = fields.IntField(db_index=True)
    person_id = fields.IntField(db_index=True)
    company_id = fields.IntField(null=True)
    # the answers that selected the members
    selectors = fields.JSONField[dict[str, Any]](default=dict)
    status = fields.CharEnumField(ApplicationStatus, max_length=16,
                                  default=ApplicationStatus.draft)
    submitted_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "reform_bundle_application"


class BundleMember(Model):
    """One member case of an application."""

    id = fields.IntField(primary_key=True)
    application_id = fields.IntField(db_index=True)
    case_id = fields.IntField(unique=True)
    item_code = fields.CharField(max_length=64)
    department_id = fields.IntField()
    position = fields.IntField()

    class Meta:
        table = "reform_bundle_member"
