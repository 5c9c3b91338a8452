"""The wording of each document: a title, a number mark and the paragraphs, with ``{names}``
filled from the case (``app.decisions.content``). Changing the wording is changing this
table; the legal clauses quoted are those of 《中华人民共和国行政许可法》 (2019)."""

from __future__ import annotations

from dataclasses import dataclass

from models.handling import DocumentKind

K = DocumentKind
REMEDY = ("如不服本决定，可以自收到本决定书之日起六十日内依法申请行政复议，也可以自收到本决定书"
          "之日起六个月内依法向人民法院提起行政诉讼。")


@dataclass(frozen=True)
class Template:
    title: str
    mark: str  # in the number: 〔年〕… 受字
    paragraphs: tuple[str, ...]


TEMPLATES: dict[DocumentKind, Template] = {
    K.acceptance: Template("受理通知书", "受字", (
        "{applicant}：",
        "你（单位）于{submitted}提出的{item}申请，经审查，申请材料齐全、符合法定形式。根据"
        "《中华人民共和国行政许可法》第三十二条第一款第（五）项的规定，决定予以受理。",
        "本机关将自受理之日起{promised}个工作日内作出决定（法定期限{legal}个工作日；依法需要"
        "听证、招标、拍卖、检验、检测、检疫、鉴定和专家评审的，所需时间不计算在期限内）。"
        "请凭办件编号{case_no}查询办理进度。",
    )),
    K.supplement: Template("补正告知书", "补字", (
        "{applicant}：",
        "你（单位）于{submitted}提出的{item}申请，经审查，申请材料不齐全或者不符合法定形式。"
        "根据《中华人民共和国行政许可法》第三十二条第一款第（四）项的规定，现一次性告知你需要"
        "补正的全部内容（见上表）。{note}",
        "请于{deadline}前补正。{consequence}",
    )),
    K.refusal: Template("不予受理决定书", "不受字", (
        "{applicant}：",
        "你（单位）于{submitted}提出的{item}申请，经审查：{reason}。根据{legal_basis}的规定，"
        "决定不予受理。",
        REMEDY,
    )),
    K.approval: Template("准予行政许可决定书", "准字", (
        "{applicant}：",
        "你（单位）于{submitted}提出的{item}申请，本机关于{accepted}受理。经审查：{reason}。"
        "该申请符合{legal_basis}规定的条件、标准，根据《中华人民共和国行政许可法》第三十八条"
        "第一款的规定，决定准予许可。",
    )),
    K.denial: Template("不予行政许可决定书", "不许字", (
        "{applicant}：",
        "你（单位）于{submitted}提出的{item}申请，本机关于{accepted}受理。经审查：{reason}。"
        "根据{legal_basis}及《中华人民共和国行政许可法》第三十八条第二款的规定，决定不予许可。",
        REMEDY,
    )),
}
INTAKE_BASIS = "《中华人民共和国行政许可法》第三十二条第一款"
