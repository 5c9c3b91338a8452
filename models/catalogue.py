"""The service catalogue (事项目录): items and their versions (办事指南).

An item's guide is versioned: editing creates a new version, publishing points the item at
it, and a case keeps the version it was filed under. The structured parts of the guide are
JSON lists whose shapes are documented here and validated by ``app/catalogue/schemas.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tortoise import fields
from tortoise.models import Model

if TYPE_CHECKING:
    from models.core import Department


class ServiceItem(Model):
    id = fields.IntField(primary_key=True)
    basic_code = fields.CharField(max_length=64, db_index=True)  # 基本编码
    code = fields.CharField(max_length=64, unique=True)  # 实施编码
    department: fields.ForeignKeyRelation[Department] = fields.ForeignKeyField(
        "core.Department", related_name="items", on_delete=fields.RESTRICT
    )
    department_id: int
    # the ServiceItemVersion citizens see. A plain column, not a foreign key: with one, the two
    # tables reference each other and tortoise's migrations drop the columns of such a cycle.
    # Versions are never deleted, so the id stays valid.
    published_version_id = fields.IntField(null=True)
    published = fields.BooleanField(default=False)
    published_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "service_item"


class ServiceItemVersion(Model):
    id = fields.IntField(primary_key=True)
    item: fields.ForeignKeyRelation[ServiceItem] = fields.ForeignKeyField(
        "catalogue.ServiceItem", related_name="versions")
    item_id: int
    version = fields.IntField()
    name = fields.CharField(max_length=200)
    item_type = fields.CharField(max_length=32)  # 行政许可, 行政确认, 行政给付, 公共服务 …
    legal_basis = fields.TextField(default="")
    conditions = fields.TextField(default="")
    # [{code, name, required, format, sample, min_trust_level (A–D), elicence_type|null, copies}]
    materials = fields.JSONField[list[Any]](default=list)
    steps = fields.JSONField[list[Any]](default=list)  # [{name, description}]
    # 特殊环节 [{name, days, counts_toward_limit}]
    special_stages = fields.JSONField[list[Any]](default=list)
    legal_limit_days = fields.IntField()  # working days
    promised_limit_days = fields.IntField()
    # [{name, amount_fen, nontax_code (项目编码), collecting_unit_code (执收单位编码)}]
    fees = fields.JSONField[list[Any]](default=list)
    fee_timing = fields.CharField(max_length=16, default="approval")  # submission | approval
    online_depth = fields.CharField(max_length=16)  # 不见面 / 见一次面 …
    visits = fields.IntField(default=0)  # number of visits to a hall
    delivery_options = fields.JSONField[list[Any]](default=list)  # ["window", "express"]
    postage_fen = fields.IntField(default=0)
    required_realname_level = fields.IntField(default=2)
    channels = fields.JSONField[list[Any]](default=list)  # ["app", "wechat", "alipay"]
    themes = fields.JSONField[list[Any]](default=list)  # themes / life events (主题 / 一件事)
    keywords = fields.JSONField[list[Any]](default=list)  # what people call it (俗称), for search
    # {fields: [{name, label, type, required, …}]}
    form_schema = fields.JSONField[dict[str, Any]](default=dict)
    consult_phone = fields.CharField(max_length=64, default="")
    complaint_phone = fields.CharField(max_length=64, default="")
    faq = fields.JSONField[list[Any]](default=list)  # [{q, a}]
    # the certificate issuing a result creates: {type_code, title, fields: [{label, source}],
    # statement, valid_days} (``app.catalogue.schemas.ResultTemplate``); None: no certificate
    # unless the only delivery is online (then a default one)
    result_template = fields.JSONField[Any](null=True)
    created_at = fields.DatetimeField(auto_now_add=True)
    created_by = fields.IntField(null=True)

    class Meta:
        table = "service_item_version"
        unique_together = (("item", "version"),)
