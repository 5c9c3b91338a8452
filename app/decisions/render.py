"""A decision document's two calls outside this package, said once: the shared renderer of
official documents (``app.documents.pdf``: reportlab's built-in CID font, the department's
seal image) and the blob store (``app.blobs``, which the storage interface replaces).

``render_and_put`` does the CPU and file work in a thread, off the event loop.
"""

from __future__ import annotations

import asyncio

from app import blobs
from app.decisions.content import DecisionContent
from app.documents import pdf

KIND = "decision"


def render_pdf(doc: DecisionContent) -> bytes:
    """The PDF of one decision document (pure CPU, tens of milliseconds)."""
    return pdf.render(pdf.OfficialDocument(
        title=doc.title, number=doc.number, rows=doc.rows, department=doc.department,
        date_text=doc.date_text, paragraphs=doc.paragraphs, seal_purpose=doc.seal_purpose,
        footer=doc.footer, subject=doc.subject,
    ))


async def render_and_put(doc: DecisionContent) -> tuple[bytes, str]:
    content = await asyncio.to_thread(render_pdf, doc)
    return content, await blobs.put_async(content, kind=KIND)


async def get_async(key: str) -> bytes:
    return await blobs.get_async(key)
