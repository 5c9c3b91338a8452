"""The supervision figures (电子监察), said once: the counters one day's events add up to, and
the figures derived from counters summed over a range.

Definitions (all by the Asia/Shanghai day the event happened on):

- received (收件): a case filed (draft → submitted, or → fee_due when fees fall due at once);
  ``received_online``: of those, items handled 不见面 (全程网办), for the online-depth share.
- accepted / refused (不予受理) / approved / denied / completed (办结) / withdrawn: the case
  entered that status.
- decided on time / late: an approval or denial within / after the promised limit, in working
  days used as the case's clock counts them (pauses for 补正 and special stages taken off);
  ``days_used_sum`` and ``days_promised_sum`` give the averages.
- supplemented: a case given its first 补正 notice; second supplements: a second notice in
  one stage (it needs a sign-off and is flagged for supervision).
- fees collected: what cases paid (their fee total, as they reached ``paid``); refunded:
  refunds that succeeded.
- ratings, ratings_bad (差评, levels 1–2), rating_level_sum: 好差评 given that day (not an
  excluded one); complaints: 12345 投诉 tickets about the department filed that day. A
  department's ticket with no item counts under item 0 (``by=item`` shows it without a name).
- overdue now (当前超期): running cases past their promised limit at this moment (the clock
  alert job marks them); overdue ever (累计超期) = decided late in the range, plus, when the
  range reaches today, the cases overdue now.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

COUNTERS: tuple[str, ...] = (
    "received", "received_online", "accepted", "refused", "approved", "denied", "completed",
    "withdrawn", "decided_on_time", "decided_late", "days_used_sum", "days_promised_sum",
    "supplemented", "second_supplements", "fees_collected_fen", "fees_refunded_fen",
    "ratings", "rating_level_sum", "ratings_bad", "complaints",
)

# column → heading of the exports and the console's tables
LABELS: dict[str, str] = {
    "department": "部门", "item": "事项", "received": "收件", "accepted": "受理",
    "refused": "不予受理", "approved": "准予", "denied": "不予许可", "completed": "办结",
    "withdrawn": "撤回", "decided": "作出决定", "decided_on_time": "按时决定",
    "decided_late": "超期决定", "on_time_rate": "按时率", "overdue_now": "当前超期",
    "overdue_ever": "累计超期", "avg_days_used": "平均用时（工作日）",
    "avg_days_promised": "平均承诺时限（工作日）", "supplemented": "补正件数",
    "supplement_rate": "补正率", "second_supplements": "二次补正",
    "received_online": "全程网办收件",
    "online_share": "网办深度（不见面占比）", "fees_collected_fen": "收费（分）",
    "fees_refunded_fen": "退费（分）", "ratings": "评价数", "ratings_bad": "差评数",
    "satisfaction_rate": "满意率", "avg_rating": "平均评分", "complaints": "投诉",
}


@dataclass
class Counters:
    received: int = 0
    received_online: int = 0
    accepted: int = 0
    refused: int = 0
    approved: int = 0
    denied: int = 0
    completed: int = 0
    withdrawn: int = 0
    decided_on_time: int = 0
    decided_late: int = 0
    days_used_sum: int = 0
    days_promised_sum: int = 0
    supplemented: int = 0
    second_supplements: int = 0
    fees_collected_fen: int = 0
    fees_refunded_fen: int = 0
    ratings: int = 0
    rating_level_sum: int = 0
    ratings_bad: int = 0
    complaints: int = 0
    extra: dict[str, Any] = field(default_factory=dict, repr=False)

    def add(self, other: Counters | dict[str, Any]) -> None:
        get = other.get if isinstance(other, dict) else lambda n, d=0: getattr(other, n)
        for name in COUNTERS:
            setattr(self, name, getattr(self, name) + int(get(name, 0) or 0))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in COUNTERS}

    def empty(self) -> bool:
        return not any(self.as_dict().values())


def _rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _avg(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def derive(c: Counters, *, overdue_now: int, includes_today: bool) -> dict[str, Any]:
    """The figures of one row (a department, an item, or the total) from its summed counters."""
    decided = c.decided_on_time + c.decided_late
    return {
        **c.as_dict(),
        "decided": decided,
        "on_time_rate": _rate(c.decided_on_time, decided),
        "avg_days_used": _avg(c.days_used_sum, decided),
        "avg_days_promised": _avg(c.days_promised_sum, decided),
        "supplement_rate": _rate(c.supplemented, c.received),
        "online_share": _rate(c.received_online, c.received),
        "overdue_now": overdue_now,
        "overdue_ever": c.decided_late + (overdue_now if includes_today else 0),
        "satisfaction_rate": _rate(c.ratings - c.ratings_bad, c.ratings),
        "avg_rating": _avg(c.rating_level_sum, c.ratings),
    }
