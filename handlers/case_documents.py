"""Decision documents of a case (受理通知书, 补正告知书, 不予受理 / 准予 / 不予许可决定书): the
applicant reads their own case's, staff their department's; each as a PDF. Another person's
or department's case answers 404."""

from __future__ import annotations

from urllib.parse import quote

from pydantic import BaseModel
from sanic import Blueprint, HTTPResponse

from app.cases import queries
from app.context import AppRequest
from app.decisions import issue
from app.handler_kit import STAFF_ERRORS, doc, fails, id_headers, ok, returns, returns_file, row_id
from app.security.auth import citizen_required, staff_required
from app.staff import Role
from models.cases import Case
from models.handling import DecisionDocument

citizen = Blueprint("case_documents", url_prefix="/api/v1/cases")
staff = Blueprint("staff_case_documents", url_prefix="/api/v1/staff/cases")
TAG, STAFF_TAG = "cases", "staff case reads"
READERS = (Role.clerk, Role.reviewer, Role.approver)
CITIZEN_ERRORS = ((401, "UNAUTHORIZED"), (404, "CASE_NOT_FOUND"))


class DocumentOut(BaseModel):
    id: int
    kind: str
    ref: int
    title: str
    number: str
    size: int
    sha256: str
    issued_at: str | None


class DocumentListOut(BaseModel):
    items: list[DocumentOut]


def _pdf(d: DecisionDocument, content: bytes) -> HTTPResponse:
    name = f"{d.title}-{d.number}.pdf"
    return HTTPResponse(content, content_type="application/pdf", headers=id_headers({
        "content-disposition": f"inline; filename=\"document-{d.id}.pdf\"; "
                               f"filename*=UTF-8''{quote(name)}",
        "cache-control": "private, no-store", "x-content-type-options": "nosniff"}))


def _case_id(value: int) -> int:
    return row_id(value, "办件不存在", "CASE_NOT_FOUND")


def _doc_id(value: int) -> int:
    return row_id(value, "文书不存在", "DOCUMENT_NOT_FOUND")


async def _own(request: AppRequest, case_id: int) -> Case:
    return await queries.case_for_person(_case_id(case_id), request.ctx.person_id)


@citizen.get("/<case_id:int>/documents")
@doc("The documents issued on my case (受理通知书, 补正告知书, 决定书)", TAG)
@citizen_required
@returns(DocumentListOut)
@fails(*CITIZEN_ERRORS)
async def my_documents(request: AppRequest, case_id: int) -> HTTPResponse:
    return ok({"items": await issue.documents_of(await _own(request, case_id))})


@citizen.get("/<case_id:int>/documents/<document_id:int>/pdf")
@doc("One document of my case, as PDF", TAG)
@citizen_required
@returns_file("application/pdf", description="the document")
@fails(*CITIZEN_ERRORS, (404, "DOCUMENT_NOT_FOUND"))
async def my_document_pdf(request: AppRequest, case_id: int, document_id: int) -> HTTPResponse:
    return _pdf(*await issue.pdf_of(await _own(request, case_id), _doc_id(document_id)))


async def _scoped(request: AppRequest, case_id: int) -> Case:
    return await queries.case_for_staff(_case_id(case_id), request.ctx.staff)


@staff.get("/<case_id:int>/documents")
@doc("The documents issued on a case (any owed but missing are issued first)", STAFF_TAG)
@staff_required(*READERS)
@returns(DocumentListOut)
@fails(*STAFF_ERRORS, (404, "CASE_NOT_FOUND"))
async def case_documents(request: AppRequest, case_id: int) -> HTTPResponse:
    return ok({"items": await issue.documents_of(await _scoped(request, case_id))})


@staff.get("/<case_id:int>/documents/<document_id:int>/pdf")
@doc("One document of a case, as PDF", STAFF_TAG)
@staff_required(*READERS)
@returns_file("application/pdf", description="the document")
@fails(*STAFF_ERRORS, (404, "CASE_NOT_FOUND"), (404, "DOCUMENT_NOT_FOUND"))
async def case_document_pdf(request: AppRequest, case_id: int, document_id: int) -> HTTPResponse:
    return _pdf(*await issue.pdf_of(await _scoped(request, case_id), _doc_id(document_id)))


bp = Blueprint.group(citizen, staff)
