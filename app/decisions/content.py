"""What a decision document says, worked out from the case: the template's paragraphs filled
in, the table of facts above them, the issuing department and the date. The reasons and legal
basis are those recorded with the decision (its timeline event, the sign-off's proposal), the
item's own legal basis otherwise."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from app import clock
from app.cases.transitions import STATUS_LABELS
from app.decisions.templates import INTAKE_BASIS, TEMPLATES
from app.security import pii
from models.cases import Case, CaseEvent, CaseStatus, SupplementItem, SupplementNotice
from models.catalogue import ServiceItemVersion
from models.core import Department
from models.handling import DocumentKind
from models.identity import Person

K = DocumentKind
DECISION_OF = {K.refusal: CaseStatus.refused, K.approval: CaseStatus.approved,
               K.denial: CaseStatus.denied}


@dataclass(frozen=True)
class DecisionContent:
    """The fields of ``app.documents.pdf.OfficialDocument`` (one A4 page, sealed)."""

    title: str
    number: str
    rows: list[tuple[str, str]]
    department: str
    date_text: str
    paragraphs: list[str] = field(default_factory=list)
    seal_purpose: str = "行政审批专用章"
    footer: list[str] = field(default_factory=list)
    subject: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _day(at: datetime | None) -> str:
    return f"{clock.local(at):%Y年%m月%d日}" if at else "—"


async def _applicant(case: Case) -> str:
    person = await Person.get_or_none(id=case.person_id)
    if person is not None and person.name_enc:
        return pii.decrypt(person.name_enc)
    return "申请人"


async def _decision(case: Case, status: CaseStatus) -> CaseEvent | None:
    return await CaseEvent.filter(case_id=case.id, to_status=status.value).order_by(
        "-seq").first()


def number_of(dept: Department, kind: DocumentKind, case: Case, round_no: int = 0) -> str:
    mark = TEMPLATES[kind].mark
    year = clock.local(case.submitted_at or clock.now()).year
    suffix = f"-{round_no}" if round_no else ""
    return f"{dept.code}{mark}〔{year}〕{case.number}{suffix}号"


async def build(case: Case, kind: DocumentKind, ref: int = 0) -> DecisionContent:
    """The content of one document of ``case`` (``ref``: the 补正 notice of a 补正告知书)."""
    dept = await Department.get(id=case.department_id)
    version = await ServiceItemVersion.get(id=case.item_version_id)
    template = TEMPLATES[kind]
    values: dict[str, Any] = {
        "applicant": await _applicant(case), "item": case.item_name, "case_no": case.number,
        "submitted": _day(case.submitted_at), "accepted": _day(case.accepted_at),
        "promised": case.promised_limit_days or version.promised_limit_days,
        "legal": case.legal_limit_days or version.legal_limit_days,
    }
    rows: list[tuple[str, str]] = [("办件编号", case.number), ("申请事项", case.item_name),
                                   ("申请人", values["applicant"])]
    issued_at = case.accepted_at or clock.now()
    round_no = 0
    if kind is K.supplement:
        notice = await SupplementNotice.get(id=ref, case_id=case.id)
        items = await SupplementItem.filter(notice_id=notice.id).order_by("id")
        rows += [(i.material_name, f"问题：{i.problem}；须提供：{i.requirement}"
                  + (f"；依据：{i.legal_clause}" if i.legal_clause else "")) for i in items]
        values |= {"note": notice.note or "", "deadline": _day(notice.deadline),
                   "consequence": "逾期未补正的，视为撤回申请。" if notice.stage == "intake"
                   else "逾期未补正的，本机关将依法作出处理。"}
        issued_at, round_no = notice.opened_at or notice.created_at, notice.round
    elif kind in DECISION_OF:
        event = await _decision(case, DECISION_OF[kind])
        data = (event.data or {}) if event else {}
        default_basis = INTAKE_BASIS if kind is K.refusal else (
            version.legal_basis or "有关法律法规")
        values |= {"reason": (event.reason if event and event.reason else case.decision_reason)
                   or STATUS_LABELS[DECISION_OF[kind]],
                   "legal_basis": data.get("legal_basis") or default_basis}
        rows.append(("决定", STATUS_LABELS[DECISION_OF[kind]]))
        issued_at = event.at if event else (case.decided_at or clock.now())
    elif kind is K.acceptance:
        rows.append(("受理日期", values["accepted"]))
    paragraphs = [p.format_map(values).strip() for p in template.paragraphs]
    contact = "；".join(x for x in (dept.phone and f"联系电话：{dept.phone}",
                                     dept.address and f"地址：{dept.address}") if x)
    return DecisionContent(
        title=template.title, number=number_of(dept, kind, case, round_no), rows=rows,
        department=dept.name, date_text=_day(issued_at), paragraphs=[p for p in paragraphs if p],
        footer=[contact] if contact else [], subject=f"{template.title} {case.number}",
    )


async def owed(case: Case) -> list[tuple[DocumentKind, int]]:
    """The documents ``case`` should have by now: (kind, ref) for each."""
    out: list[tuple[DocumentKind, int]] = []
    if case.accepted_at is not None:
        out.append((K.acceptance, 0))
    for notice_id in await SupplementNotice.filter(
            case_id=case.id, opened_at__isnull=False).order_by("round").values_list(
            "id", flat=True):
        out.append((K.supplement, int(notice_id)))  # type: ignore[call-overload]
    reached = {str(v) for v in await CaseEvent.filter(
        case_id=case.id, to_status__in=[s.value for s in DECISION_OF.values()]
    ).values_list("to_status", flat=True)}
    out += [(kind, 0) for kind, status in DECISION_OF.items() if status.value in reached]
    return out
