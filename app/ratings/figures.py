"""Supervision figures of 好差评 per department: ratings by level (an excluded rating never
counts), 差评, their 整改 (open, overdue, answered, closed and how) and 申诉 outcomes.

好评率 here is the share of 基本满意 and better among the ratings that count, and 整改率 the
share of 差评 whose 整改 was answered; both are the figures 国办发〔2019〕51号 asks to publish.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tortoise.functions import Count

from app import deadlines
from models.core import Department
from models.ratings import Appeal, Level, Rating, Rectification, RectificationState


def _scoped(query: Any, scope: int | None) -> Any:
    return query if scope is None else query.filter(department_id=scope)


async def summary(scope: int | None) -> list[dict[str, Any]]:
    """One row per department in ``scope`` (None: every department) that has ratings."""
    rows: dict[int, dict[str, Any]] = defaultdict(lambda: {
        "levels": {str(int(lv)): 0 for lv in Level}, "counted": 0, "excluded": 0,
        "rectifications": {"open": 0, "overdue": 0, "replied": 0, "closed": 0,
                           "outcomes": {}},
        "appeals": {"pending": 0, "upheld": 0, "rejected": 0}})
    counts = await _scoped(Rating.all(), scope).annotate(n=Count("id")).group_by(
        "department_id", "level", "excluded").values("department_id", "level", "excluded", "n")
    for c in counts:
        row = rows[c["department_id"]]
        if c["excluded"]:
            row["excluded"] += c["n"]
        else:
            row["levels"][str(int(c["level"]))] += c["n"]
            row["counted"] += c["n"]
    for fix in await _scoped(Rectification.all(), scope):
        r = rows[fix.department_id]["rectifications"]
        r[str(fix.state)] += 1
        if fix.state == RectificationState.open and deadlines.view(
                fix.opened_at, fix.limit_days).colour == "red":
            r["overdue"] += 1
        if fix.outcome:
            r["outcomes"][str(fix.outcome)] = r["outcomes"].get(str(fix.outcome), 0) + 1
    appeals = await _scoped(Appeal.all(), scope).annotate(n=Count("id")).group_by(
        "department_id", "state").values("department_id", "state", "n")
    for a in appeals:
        rows[a["department_id"]]["appeals"][str(a["state"])] += a["n"]
    names = dict(await Department.filter(id__in=list(rows)).values_list("id", "name"))
    out = []
    for dept_id, row in sorted(rows.items()):
        levels = row["levels"]
        bad = levels["1"] + levels["2"]
        fixes = row["rectifications"]
        answered = fixes["replied"] + fixes["closed"]
        out.append({
            "department_id": dept_id, "department_name": names.get(dept_id, ""), **row,
            "bad": bad,
            "good_rate": round((row["counted"] - bad) / row["counted"], 4)
            if row["counted"] else None,
            "rectified_rate": round(answered / (answered + fixes["open"]), 4)
            if answered + fixes["open"] else None,
        })
    return out
