"""Our reports in the 好差评 system's words: the JSON bodies of the three endpoints.

The names follow the shape of provincial 好差评 data exchanges (办件编号 ``projectNo``, 事项编码
``taskCode``, 评价渠道 as a code), but no province publishes one schema, so this is our own
documented protocol (``docs/haocp-and-12345.md``): a province adapts this file, nothing else.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from app import clock
from app.ratings.reports import AppealReport, EvaluationReport, RectificationReport, Report

EVALUATIONS = "/api/v1/evaluations"
RECTIFICATIONS = "/api/v1/rectifications"
APPEALS = "/api/v1/appeals"


class ChannelCode(StrEnum):
    """评价渠道 as the province counts them."""

    WEB = "1"  # 政务服务网
    APP = "2"  # 移动端 app
    WECHAT = "3"  # 微信 (公众号 and its H5 pages)
    ALIPAY = "4"  # 支付宝小程序
    QR = "5"  # 二维码
    HALL = "6"  # 大厅评价器 / 自助终端
    HOTLINE = "7"  # 12345


CHANNELS = {"app": ChannelCode.APP, "h5": ChannelCode.WECHAT, "wechat": ChannelCode.WECHAT,
            "alipay": ChannelCode.ALIPAY, "hotline": ChannelCode.HOTLINE, "web": ChannelCode.WEB}
SUBJECT_TYPES = {"case": "1", "ticket": "2"}  # 办件评价 | 12345 工单评价
RATER_TYPES = {"person": "1", "company": "2"}  # 自然人 | 法人


def _time(dt: datetime | None) -> str | None:
    return clock.local(dt).isoformat(timespec="seconds") if dt else None


def _day(d: date | None) -> str | None:
    return d.isoformat() if d else None


def evaluation_id(system_code: str, rating_id: int) -> str:
    return f"{system_code}-{rating_id}"


def evaluation(r: EvaluationReport, system_code: str, region_code: str) -> dict[str, Any]:
    s = r.subject
    return {
        "reportKey": r.key, "systemCode": system_code, "regionCode": region_code,
        "evaluationId": evaluation_id(system_code, r.rating_id),
        "version": r.revision, "versionType": r.revision_kind,
        "subjectType": SUBJECT_TYPES[s.kind], "projectNo": s.number,
        "taskCode": s.item_code, "taskName": s.item_name,
        "deptCode": s.department_code, "deptName": s.department_name,
        "level": r.level, "levelName": r.level_name,
        "indicators": [{"first": "整体满意度", "second": second, "tag": tag}
                       for second, tag in r.tags],
        "content": r.comment or "", "channel": CHANNELS.get(r.channel, ChannelCode.APP).value,
        "contentVersion": r.content_version, "evaluatedAt": _time(r.rated_at),
        "raterRef": r.rater_ref, "raterType": RATER_TYPES.get(r.rater_kind, "1"),
        "valid": not r.excluded,
    }


def rectification(r: RectificationReport, system_code: str) -> dict[str, Any]:
    return {
        "reportKey": r.key, "systemCode": system_code,
        "evaluationId": evaluation_id(system_code, r.rating_id),
        "rectificationId": f"{system_code}-Z{r.rectification_id}",
        "state": r.state, "openedAt": _time(r.opened_at), "dueDate": _day(r.due_date),
        "limitDays": r.limit_days, "overdue": r.overdue, "measures": r.measures or "",
        "reply": r.reply or "", "repliedAt": _time(r.replied_at), "outcome": r.outcome or "",
        "closedAt": _time(r.closed_at),
    }


def appeal(r: AppealReport, system_code: str) -> dict[str, Any]:
    return {
        "reportKey": r.key, "systemCode": system_code,
        "evaluationId": evaluation_id(system_code, r.rating_id),
        "appealId": f"{system_code}-S{r.appeal_id}", "decision": r.decision,
        "reason": r.reason, "note": r.note or "", "decidedAt": _time(r.decided_at),
    }


def request_for(report: Report, system_code: str, region_code: str) -> tuple[str, dict[str, Any]]:
    """The endpoint path and JSON body of one report."""
    if isinstance(report, EvaluationReport):
        return EVALUATIONS, evaluation(report, system_code, region_code)
    if isinstance(report, RectificationReport):
        return RECTIFICATIONS, rectification(report, system_code)
    return APPEALS, appeal(report, system_code)
