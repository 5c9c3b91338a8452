"""预审 for staff: open a case's uploaded materials (images and PDF in the browser, others as a
download) and reveal a masked form field, each with a reason that is logged first; and read
who opened what. Another department's case answers 404."""

from __future__ import annotations

from urllib.parse import quote

from sanic import Blueprint, HTTPResponse

from app.cases import queries, staff_reads
from app.cases.handling_schemas import ReadListOut, ReasonQuery, RevealIn, RevealOut
from app.context import AppRequest
from app.handler_kit import (
    STAFF_ERRORS,
    body,
    doc,
    fails,
    id_headers,
    ok,
    query,
    returns,
    returns_file,
    row_id,
)
from app.identity import pii_audit
from app.security.auth import staff_required
from app.staff import Role
from models.cases import Case

bp = Blueprint("staff_case_reads", url_prefix="/api/v1/staff/cases")
TAG = "staff case reads"
READERS = (Role.clerk, Role.reviewer, Role.approver)
NOT_FOUND = (404, "CASE_NOT_FOUND")


async def _case(request: AppRequest, case_id: int) -> Case:
    return await queries.case_for_staff(row_id(case_id, "办件不存在", "CASE_NOT_FOUND"),
                                        request.ctx.staff)


def _disposition(inline: bool, filename: str) -> str:
    # RFC 6266 / 5987: the Chinese name for browsers, an ASCII fallback for the rest
    fallback = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "")
    kind = "inline" if inline else "attachment"
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


@bp.get("/<case_id:int>/materials/<material_id:int>/content")
@doc("Open an uploaded material (audited with the reason given)", TAG,
     "Images and PDF answer inline, other formats as a download. The read is logged with the "
     "staff member and the reason before the file is sent.")
@staff_required(*READERS)
@query(ReasonQuery)
@returns_file("image/jpeg", "image/png", "application/pdf", "application/ofd",
              description="the file, as uploaded")
@fails(*STAFF_ERRORS, NOT_FOUND, (404, "MATERIAL_NOT_FOUND"), (404, "MATERIAL_FILE_MISSING"),
        (409, "MATERIAL_NO_FILE"), (422, "REASON_REQUIRED"))
async def material_content(request: AppRequest, case_id: int, material_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    opened = await staff_reads.open_material(
        request.ctx.staff, case, row_id(material_id, "材料不存在", "MATERIAL_NOT_FOUND"),
        request.ctx.query.reason)
    m = opened.material
    headers = id_headers({
        "content-disposition": _disposition(opened.inline, opened.filename or f"{m.code}"),
        "cache-control": "no-store, private",
        "x-content-type-options": "nosniff",
    })
    if m.size is not None:
        headers["content-length"] = str(m.size)
    response = await request.respond(
        headers=headers, content_type=m.content_type or "application/octet-stream")
    async for piece in opened.content:
        await response.send(piece)
    await response.eof()
    return response


@bp.post("/<case_id:int>/form/reveal")
@doc("Reveal one masked form field (audited with the reason given)", TAG)
@staff_required(*READERS)
@body(RevealIn)
@returns(RevealOut)
@fails(*STAFF_ERRORS, NOT_FOUND, (404, "FIELD_NOT_FOUND"), (409, "FIELD_NOT_MASKED"),
        (422, "REASON_REQUIRED"))
async def reveal(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    b: RevealIn = request.ctx.body
    value = await staff_reads.reveal_field(request.ctx.staff, case, b.field, b.reason)
    return ok({"field": b.field, "value": value})


@bp.get("/<case_id:int>/reads")
@doc("Who opened this case's materials or revealed its fields, and why", TAG)
@staff_required(Role.reviewer, Role.approver)
@returns(ReadListOut)
@fails(*STAFF_ERRORS, NOT_FOUND)
async def reads(request: AppRequest, case_id: int) -> HTTPResponse:
    case = await _case(request, case_id)
    return ok({"items": await pii_audit.reads_of_case(case.id)})
