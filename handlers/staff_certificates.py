"""Staff certificate endpoints: the department's certificates, one with its timeline and
verifications, revocation (撤销) and reissue after a correction (换发). Another department's
certificate answers 404; revoking and reissuing need the reviewer role (403 otherwise)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sanic import Blueprint, HTTPResponse

from app.certificates import queries, revoke, views
from app.certificates.schemas import (
    CertificateDetailOut,
    CertificateListOut,
    ReissueIn,
    RevokeIn,
    StaffListQuery,
)
from app.context import AppRequest
from app.handler_kit import body, doc, fails, ok, query, returns, row_id
from app.security.auth import staff_required
from models.certificates import CertificateEvent

if TYPE_CHECKING:
    from models.certificates import Certificate

bp = Blueprint("staff_certificates", url_prefix="/api/v1/staff/certificates")
TAG = "staff-certificates"
CLERK, REVIEWER = "clerk", "reviewer"
NOT_FOUND = (404, "CERTIFICATE_NOT_FOUND: none, or another department's")
FORBIDDEN = (403, "FORBIDDEN: a role is missing")


async def _own(request: AppRequest, cert_id: int) -> Certificate:
    cid = row_id(cert_id, "证明不存在", "CERTIFICATE_NOT_FOUND")
    return await queries.of_department(cid, request.ctx.staff)


@bp.get("")
@doc("My department's certificates, newest first (filter by case)", TAG)
@staff_required(CLERK, REVIEWER)
@query(StaffListQuery)
@returns(CertificateListOut)
@fails(FORBIDDEN)
async def list_department(request: AppRequest) -> HTTPResponse:
    q: StaffListQuery = request.ctx.query
    certs = await queries.department_list(request.ctx.staff, case_id=q.case_id, limit=q.limit,
                                          offset=q.offset)
    return ok({"items": [views.summary(c) for c in certs]})


@bp.get("/<cert_id:int>")
@doc("One certificate of my department, with its timeline and verifications", TAG)
@staff_required(CLERK, REVIEWER)
@returns(CertificateDetailOut)
@fails(NOT_FOUND, FORBIDDEN)
async def read_one(request: AppRequest, cert_id: int) -> HTTPResponse:
    cert = await _own(request, cert_id)
    out = views.detail(cert, for_holder=False)
    events = await CertificateEvent.filter(certificate_id=cert.id).order_by("id")
    out["timeline"] = [views.event_view(e) for e in events]
    out["verifications"] = [views.verification_view(v)
                            for v in await queries.verifications(cert)]
    return ok(out)


@bp.post("/<cert_id:int>/revoke")
@doc("撤销: revoke a certificate of my department, with a reason category", TAG)
@staff_required(REVIEWER)
@body(RevokeIn)
@returns(CertificateDetailOut)
@fails(NOT_FOUND, FORBIDDEN, (409, "CERTIFICATE_NOT_VALID: already revoked or superseded"))
async def revoke_one(request: AppRequest, cert_id: int) -> HTTPResponse:
    cert = await _own(request, cert_id)
    b: RevokeIn = request.ctx.body
    cert = await revoke.revoke(cert, request.ctx.staff.id, b.reason, b.note,
                               request.app.ctx.kv)
    return ok(views.detail(cert, for_holder=False))


@bp.post("/<cert_id:int>/reissue")
@doc("换发: issue a corrected certificate that supersedes this one", TAG)
@staff_required(REVIEWER)
@body(ReissueIn)
@returns(CertificateDetailOut, status=201)
@fails(NOT_FOUND, FORBIDDEN, (409, "CERTIFICATE_NOT_VALID"),
       (422, "CERTIFICATE_FIELD_UNKNOWN: a corrected line is not on the certificate"))
async def reissue_one(request: AppRequest, cert_id: int) -> HTTPResponse:
    cert = await _own(request, cert_id)
    b: ReissueIn = request.ctx.body
    new = await revoke.reissue(cert, request.ctx.staff.id, b.corrections, b.note,
                               request.app.ctx.kv)
    return ok(views.detail(new, for_holder=False), status=201)
