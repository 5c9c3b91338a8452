"""留痕完整性: the audit of case timelines' keyed SM3 chains (``app/cases/chain_audit.py``).
Supervisors and admins only; their scope is ``StaffPrincipal.supervision_scope`` (every
department): a finding names a case and a link, never its content."""

from __future__ import annotations

from pydantic import BaseModel
from sanic import Blueprint, HTTPResponse

from app.cases import chain_audit
from app.context import AppRequest
from app.errors import NotFound
from app.handler_kit import STAFF_ERRORS, doc, fails, ok, returns
from app.security.auth import staff_required
from app.staff import Role

bp = Blueprint("staff_integrity", url_prefix="/api/v1/staff/integrity")
TAG = "staff integrity"
AUDITORS = (Role.supervisor,)  # and admins, who hold every role


class FindingOut(BaseModel):
    case_id: int
    number: str
    department_id: int
    broken_seq: int
    finding: chain_audit.Finding
    checked_seq: int
    checked_at: str | None


class FindingsOut(BaseModel):
    audited: int
    broken: int
    oldest_check_at: str | None
    newest_check_at: str | None
    findings: list[FindingOut]


class VerdictOut(BaseModel):
    case_id: int
    checked_seq: int
    intact: bool
    broken_seq: int | None
    finding: chain_audit.Finding | None
    legacy_seq: int


@bp.get("/case-chains")
@doc("What the chain audits found: cases audited, when, and every broken chain", TAG,
     "The audit runs as a periodic job (ZSB_CASE_CHAIN_AUDIT_INTERVAL_SECONDS), on "
     "`python -m app audit-chains` and per case on POST …/case-chains/{case_id}/audit. "
     "Findings: broken_link (an event edited, removed or re-hashed without the key), "
     "ends_short (newest links dropped or the case's status edited), legacy_unsealed "
     "(links written before the chain was keyed, not sealed yet).")
@staff_required(*AUDITORS)
@returns(FindingsOut)
@fails(*STAFF_ERRORS)
async def case_chain_findings(request: AppRequest) -> HTTPResponse:
    return ok(await chain_audit.findings(request.ctx.staff.supervision_scope))


@bp.post("/case-chains/<case_id:int>/audit")
@doc("Audit one case's chain now (the verdict is kept, and the case read shows it)", TAG)
@staff_required(*AUDITORS)
@returns(VerdictOut)
@fails(*STAFF_ERRORS, (404, "CASE_NOT_FOUND"))
async def audit_case_chain(request: AppRequest, case_id: int) -> HTTPResponse:
    verdict = await chain_audit.audit_case(case_id, request.ctx.staff.supervision_scope)
    if verdict is None:
        raise NotFound("办件不存在", code="CASE_NOT_FOUND")
    return ok(verdict.as_dict())
