"""Per-event message templates.

How urgent each one is comes from the one notice-priority table (``app/notices.py``), which
the outbox event read as well. Our template key travels to each channel as
``OutboundMessage.template_id``; the channel's notifier maps it to the platform's own template
id.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from app.notices import Priority, priority_of, stricter


@dataclass(frozen=True)
class Template:
    key: str
    title: str
    body: str
    link: str | None = "/cases/{case_id}"

    @property
    def priority(self) -> Priority:
        return priority_of(self.key)


def _t(key: str, title: str, body: str, link: str | None = "/cases/{case_id}") -> Template:
    return Template(key, title, body, link)


_CASE = "您的办件“{item_name}”（{case_no}）"
TEMPLATES: dict[str, Template] = {t.key: t for t in [
    _t("case.submitted", "办件已提交", _CASE + "已提交，请等待窗口审核。"),
    _t("case.resubmitted", "补正材料已提交", _CASE + "的补正材料已提交。"),
    _t("case.supplement_requested", "补正通知",
       _CASE + "需要补正材料：{reason}。请在规定期限内补正。"),
    _t("case.supplement_due_soon", "补正期限将至",
       _CASE + "的补正期限为{deadline_text}，请在期限内补正材料，逾期未补正的将按规定处理。"),
    _t("case.accepted", "办件已受理", _CASE + "已受理，承诺时限开始计算。"),
    _t("case.tolerance_due_soon", "容缺材料补齐期限将至",
       _CASE + "容缺受理的“{material_name}”须于{deadline_text}前补齐，逾期未补齐的将依法处理。"),
    _t("case.result_revoked", "办理结果已撤销",
       _CASE + "的办理结果已撤销：{reason}。"),
    _t("case.refused", "不予受理通知", _CASE + "不予受理，理由：{reason}。"),
    _t("case.under_review", "办件审查中", _CASE + "正在审查。"),
    _t("case.special_stage", "办件进入特别程序", _CASE + "进入特别程序：{reason}。"),
    _t("case.approved", "准予许可", _CASE + "已准予许可。"),
    _t("case.denied", "不予许可决定", _CASE + "不予许可，理由：{reason}。"),
    _t("case.fee_due", "缴费通知", _CASE + "需缴纳费用，请及时缴费。"),
    _t("case.paid", "缴费成功", _CASE + "已缴费成功。"),
    _t("case.result_issued", "办理结果已出具", _CASE + "的办理结果已出具。"),
    _t("case.delivering", "结果送达中", _CASE + "的办理结果正在送达。"),
    _t("case.completed", "办结通知", _CASE + "已办结。"),
    _t("case.withdrawn", "办件已撤回", _CASE + "已撤回：{reason}。"),
    _t("payment.received", "缴费成功",
       "您已成功缴纳“{item_name}”（{case_no}）的费用{amount_yuan}元。"),
    _t("payment.paid", "缴费成功", "您已成功缴费{amount_yuan}元。"),
    _t("payment.refunded", "退款通知", "您的退款{amount_yuan}元已原路退回。"),
    _t("shipment.progress", "物流进度", "{text}"),
    _t("shipment.redelivery_offered", "邮件未能送达", "{text}"),
    _t("certificate.issued", "电子证明已签发",
       "您的“{title}”（编号{number}）已签发，可在“我的证照”中查看和下载。",
       "/certificates/{certificate_id}"),
    _t("certificate.verified", "证明被查验",
       "您的证明“{title}”（编号{number}）于{at_text}被查验。如非您本人授权，请留意个人信息安全。",
       "/certificates/{certificate_id}"),
    _t("certificate.revoked", "证明已撤销",
       "您的证明“{title}”（编号{number}）已被出具单位撤销，详情请查看证明记录。",
       "/certificates/{certificate_id}"),
    _t("ticket.replied", "工单已答复",
       "您的{type_name}（{ticket_no}）已有答复，请查看；如不满意可申请重新办理。",
       "/tickets/{ticket_id}"),
    # 好差评: the invitation after 办结, the 回访 after a 差评 was answered, an upheld 申诉
    _t("rating.invited", "邀请您评价", _CASE + "已办结，欢迎对本次服务作出评价。",
       "/cases/{case_id}/rate"),
    _t("rectification.replied", "差评整改答复",
       "您对{subject_text}的评价已收到整改答复，欢迎查看并再次评价。", "{link}"),
    _t("rating.excluded", "评价申诉结果",
       "您对{subject_text}的评价经核实不计入统计，理由：{reason}。如有异议请拨打12345。",
       "{link}"),
    _t("appointment.reminder", "预约到厅提醒",
       "您已预约{time_text}到{hall_name}（{hall_address}）办理“{item_name}”，请携带相关材料按时到厅，"
       "凭预约二维码签到。如不能前往请提前取消。", "/appointments"),
    _t("push.direct", "{title}", "{body}", "{link}"),
    _t("push.campaign", "{title}", "{body}", "{link}"),
]}

FALLBACK = _t("event", "办件进度更新", "您的事项有新的进度，请查看。", None)


@dataclass(frozen=True)
class Rendered:
    key: str
    priority: Priority
    title: str
    body: str
    link: str | None


def template_values(payload: dict[str, Any]) -> defaultdict[str, Any]:
    """An event's payload as a template reads it: a missing value is empty, and an amount in
    fen is also there in yuan."""
    values: defaultdict[str, Any] = defaultdict(str, {k: v for k, v in payload.items()
                                                      if v is not None})
    if values.get("amount_fen") is not None and "amount_yuan" not in values:
        values["amount_yuan"] = f"{int(values['amount_fen']) / 100:.2f}"
    return values


def render(event_type: str, payload: dict[str, Any], priority: str | None = None) -> Rendered:
    """Render an event's message. The stricter of the template's and the event's priority
    wins, so an emitter can raise a notice to critical but never lower a legal one."""
    template = TEMPLATES.get(event_type, FALLBACK)
    values = template_values(payload)
    if not values.get("reason"):
        values["reason"] = "详见办件详情"
    link = template.link.format_map(values) if template.link else None
    return Rendered(
        key=template.key if template is not FALLBACK else event_type,
        priority=stricter(template.priority, priority),
        title=template.title.format_map(values)[:128],
        body=template.body.format_map(values),
        link=link or None,
    )
