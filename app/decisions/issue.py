"""Issuing decision documents: every document a case owes by now (``content.owed``) that it
does not have yet is rendered, kept and recorded, once — (case, kind, ref) is unique, so a
second issuer (two workers, a retry) changes nothing.

It runs after the action that made the document due has committed (rendering is tens of
milliseconds of CPU, kept out of the transaction), from the staff actions and whenever the
documents of a case are listed, so a document that failed to render once is issued the next
time anyone looks. A failure is logged and never undoes the action.
"""

from __future__ import annotations

import hashlib
import logging
from typing import Any

from tortoise.exceptions import IntegrityError

from app import clock
from app.decisions import content, render
from app.errors import NotFound
from models.cases import Case
from models.handling import DecisionDocument, DocumentKind

log = logging.getLogger("zsb.decisions")


async def issue_owed(case: Case, staff_id: int | None = None) -> list[DecisionDocument]:
    """Issue what ``case`` owes; answer the documents issued now."""
    have = set(await DecisionDocument.filter(case_id=case.id).values_list("kind", "ref"))
    issued = []
    for kind, ref in await content.owed(case):
        if (kind.value, ref) in {(str(k), int(r)) for k, r in have}:
            continue
        try:
            doc = await _issue(case, kind, ref, staff_id)
        except IntegrityError:  # another issuer was first
            continue
        except Exception:
            log.exception("decision document not issued", extra={"case_id": case.id,
                                                                 "kind": kind.value})
            continue
        issued.append(doc)
    return issued


async def issue_owed_quietly(case_id: int, staff_id: int | None = None) -> None:
    """For the staff actions: after their commit, never failing them."""
    try:
        case = await Case.get(id=case_id)
        await issue_owed(case, staff_id)
    except Exception:
        log.exception("decision documents not issued", extra={"case_id": case_id})


async def _issue(
    case: Case, kind: DocumentKind, ref: int, staff_id: int | None
) -> DecisionDocument:
    doc = await content.build(case, kind, ref)
    pdf, key = await render.render_and_put(doc)
    return await DecisionDocument.create(
        case_id=case.id, kind=kind, ref=ref, number=doc.number, title=doc.title, blob_key=key,
        sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), content=doc.as_dict(),
        issued_by=staff_id)


def view(d: DecisionDocument) -> dict[str, Any]:
    return {"id": d.id, "kind": d.kind.value, "ref": d.ref, "title": d.title,
            "number": d.number, "size": d.size, "sha256": d.sha256,
            "issued_at": clock.iso(d.created_at)}


async def documents_of(case: Case) -> list[dict[str, Any]]:
    await issue_owed(case)
    return [view(d) for d in await DecisionDocument.filter(case_id=case.id).order_by("id")]


async def pdf_of(case: Case, document_id: int) -> tuple[DecisionDocument, bytes]:
    doc = await DecisionDocument.get_or_none(id=document_id, case_id=case.id)
    if doc is None:
        raise NotFound("文书不存在", code="DOCUMENT_NOT_FOUND")
    try:
        return doc, await render.get_async(doc.blob_key)
    except KeyError as exc:
        raise NotFound("文书文件缺失", code="DOCUMENT_FILE_MISSING") from exc
