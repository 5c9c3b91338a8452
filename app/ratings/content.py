"""The evaluation content: five levels and the indicators of GB/T 39735-2020 《政务服务评价工作
指南》 as 国办发〔2019〕51号 introduced them, with the tags each level offers.

The standard fixes the levels (非常满意 … 非常不满意, 5 to 1 stars) and the indicators: the first
level is 整体满意度; online channels rate 办事效率, 办事指南精确度, 办事便捷度 and 平台操作性;
offline ones (the hall, the 12345 hotline) 服务效率, 服务水平 and 服务态度. Content is nationally
uniform and versioned, so the tags below are one version (``VERSION``), stored with every
rating; changing them means a new version, never an edit. The tag wording is ours: the
standard names the indicators, not the phrases.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from app.errors import ValidationFailed
from models.ratings import Level

VERSION = "2020.1"
LEVEL_NAMES: dict[Level, str] = {
    Level.very_satisfied: "非常满意", Level.satisfied: "满意", Level.fair: "基本满意",
    Level.dissatisfied: "不满意", Level.very_dissatisfied: "非常不满意",
}
BAD = frozenset({Level.dissatisfied, Level.very_dissatisfied})  # 差评
OFFLINE_CHANNELS = frozenset({"hall", "hotline"})


@dataclass(frozen=True)
class Indicator:
    name: str  # 二级指标
    good: tuple[str, ...]  # tags offered with 基本满意 and better
    bad: tuple[str, ...]  # tags offered with 基本满意 and worse


ONLINE: tuple[Indicator, ...] = (
    Indicator("办事效率", ("办理速度快", "按时办结", "一次办成"),
              ("办理时间长", "超时未办结", "多次跑腿")),
    Indicator("办事指南精确度", ("指南清晰准确", "材料要求明确"),
              ("指南内容不准确", "材料要求不清", "一次性告知不到位")),
    Indicator("办事便捷度", ("全程网上办", "提交材料少", "结果送达方便"),
              ("材料重复提交", "需要到现场", "流程复杂")),
    Indicator("平台操作性", ("页面简洁易用", "操作流畅"),
              ("页面难以操作", "系统卡顿出错", "找不到办理入口")),
)
OFFLINE: tuple[Indicator, ...] = (
    Indicator("服务效率", ("等候时间短", "办理迅速"), ("排队时间长", "办理拖延")),
    Indicator("服务水平", ("业务熟练", "解答专业"), ("业务不熟", "解答不清")),
    Indicator("服务态度", ("热情周到", "耐心细致"), ("态度冷漠", "推诿扯皮")),
)


def indicators(channel: str) -> tuple[Indicator, ...]:
    return OFFLINE if channel in OFFLINE_CHANNELS else ONLINE


def allowed_tags(level: Level, channel: str) -> dict[str, str]:
    """tag → its indicator, as the page shows them for ``level``."""
    out: dict[str, str] = {}
    for ind in indicators(channel):
        tags = (ind.good if level >= Level.fair else ()) + (ind.bad if level <= Level.fair else ())
        out.update({t: ind.name for t in tags})
    return out


def check(level: Level, tags: list[str], comment: str | None, channel: str
          ) -> list[tuple[str, str]]:
    """The (indicator, tag) pairs of a valid rating; 422 for a tag this level does not offer,
    and for a 差评 that says neither what went wrong nor why (the department must know what
    to put right)."""
    allowed = allowed_tags(level, channel)
    unknown = [t for t in tags if t not in allowed]
    if unknown:
        raise ValidationFailed("所选评价标签与评价等级不符", code="RATING_TAG_INVALID",
                               fields={"tags": "、".join(unknown)})
    if level in BAD and not tags and not (comment or "").strip():
        raise ValidationFailed("差评请选择问题标签或填写评价内容", code="RATING_REASON_REQUIRED",
                               fields={"tags": "必填"})
    return [(allowed[t], t) for t in dict.fromkeys(tags)]


def describe(channel: str = "app") -> dict[str, Any]:
    """The content as a page renders it (``GET /api/v1/ratings/content``)."""
    return {
        "version": VERSION,
        "first_indicator": "整体满意度",
        "levels": [
            {"level": int(level), "name": LEVEL_NAMES[level], "stars": int(level),
             "bad": level in BAD,
             "tags": [{"indicator": ind, "tag": tag}
                      for tag, ind in allowed_tags(level, channel).items()]}
            for level in sorted(Level, reverse=True)
        ],
    }
