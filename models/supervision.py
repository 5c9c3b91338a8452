"""电子监察: the daily rollup behind the supervision figures.

One row per (day, department, item) sums what the recorded events of that Asia/Shanghai day
say (cases received, accepted, decided on time or late, 补正 asked, fees collected …). A range
of figures is a ``SUM`` over these rows, so a year answers from a few thousand rows however
many cases and events lie behind them. ``RolledDay`` marks the days whose rows are final.
"""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class DailyFigures(Model):
    id = fields.BigIntField(primary_key=True)
    day = fields.DateField()
    department_id = fields.IntField()
    item_id = fields.IntField()
    received = fields.IntField(default=0)  # 收件
    received_online = fields.IntField(default=0)  # 收件 of items handled 不见面 (全程网办)
    accepted = fields.IntField(default=0)  # 受理
    refused = fields.IntField(default=0)  # 不予受理
    approved = fields.IntField(default=0)  # 准予
    denied = fields.IntField(default=0)  # 不予许可
    completed = fields.IntField(default=0)  # 办结
    withdrawn = fields.IntField(default=0)  # 撤回
    decided_on_time = fields.IntField(default=0)  # decided within the promised limit
    decided_late = fields.IntField(default=0)  # decided after it (超期办结)
    days_used_sum = fields.IntField(default=0)  # working days used, over the decided
    days_promised_sum = fields.IntField(default=0)  # their promised limits, summed
    supplemented = fields.IntField(default=0)  # cases given their first 补正 notice
    second_supplements = fields.IntField(default=0)  # second notices in one stage (flagged)
    fees_collected_fen = fields.BigIntField(default=0)
    fees_refunded_fen = fields.BigIntField(default=0)
    ratings = fields.IntField(default=0)  # 好差评 given
    rating_level_sum = fields.IntField(default=0)
    ratings_bad = fields.IntField(default=0)  # 差评 (levels 1 and 2)
    complaints = fields.IntField(default=0)  # 投诉 tickets about the department

    class Meta:
        table = "supervision_daily"
        unique_together = (("day", "department_id", "item_id"),)
        indexes = (("department_id", "day"),)


class RolledDay(Model):
    """A day whose daily figures are final (rolled up after the day ended)."""

    day = fields.DateField(primary_key=True)
    rows = fields.IntField()
    rolled_at = fields.DatetimeField()

    class Meta:
        table = "supervision_rolled_day"
