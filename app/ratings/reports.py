"""What the core reports to the 好差评 system, and the interface its edge implements.

The reports are platform-neutral: which JSON names the province wants is the edge's business
(``channels/haocp``). Each carries the idempotency ``key`` of its outbound job, which the
province also receives, so a report sent twice is one record there. Kept here rather than in
``app/interfaces.py`` because only the ratings service and its edge use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol, runtime_checkable


@dataclass(frozen=True)
class Subject:
    """What was rated: a 办件 or a 12345 ticket, with the item and department it belongs to."""

    kind: str  # case | ticket
    number: str  # 办件编号 / 工单编号
    item_code: str | None
    item_name: str | None
    department_code: str
    department_name: str


@dataclass(frozen=True)
class EvaluationReport:
    key: str
    rating_id: int
    revision: int  # 0 first, then the change and the 追评
    revision_kind: str  # initial | changed | follow_up
    subject: Subject
    level: int  # 1 非常不满意 … 5 非常满意
    level_name: str
    tags: list[tuple[str, str]]  # (second-level indicator, tag)
    comment: str | None
    channel: str
    content_version: str
    rated_at: datetime
    rater_ref: str  # a keyed digest of the person: the province counts raters, never names
    rater_kind: str  # person | company
    excluded: bool = False


@dataclass(frozen=True)
class RectificationReport:
    key: str
    rating_id: int
    rectification_id: int
    state: str  # open | replied | closed
    opened_at: datetime
    due_date: date
    limit_days: int
    overdue: bool
    measures: str | None = None
    reply: str | None = None
    replied_at: datetime | None = None
    outcome: str | None = None
    closed_at: datetime | None = None


@dataclass(frozen=True)
class AppealReport:
    key: str
    rating_id: int
    appeal_id: int
    decision: str  # upheld | rejected
    reason: str
    decided_at: datetime
    note: str | None = None


Report = EvaluationReport | RectificationReport | AppealReport


@dataclass(frozen=True)
class ReportReceipt:
    receipt_no: str
    duplicate: bool = False  # the province already had this key
    raw: dict[str, object] = field(default_factory=dict)


@runtime_checkable
class RatingReporter(Protocol):
    async def report(self, report: Report) -> ReportReceipt:
        """Send one report; raise ``RetryableProviderError`` or ``FinalProviderError``."""
        ...
