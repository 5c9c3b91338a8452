"""One A4 page of an official document: title, number, a table of fields, paragraphs, the
issuing department with its seal and date, and a QR code with the verification text beside it.

``render`` is pure CPU (reportlab, tens of milliseconds): call it through
``asyncio.to_thread`` from async code. The output is byte-for-byte reproducible for the same
input (reportlab's ``invariant`` mode fixes the dates and ids it would otherwise embed), so a
document can be rendered again and its digest compared.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from app.documents import qr, seal
from app.documents.text import FONT, wrap

WIDTH, HEIGHT = A4
MARGIN = 22 * mm


@dataclass(frozen=True)
class OfficialDocument:
    title: str
    number: str  # 编号, printed under the title
    rows: list[tuple[str, str]]  # label → value, in order
    department: str  # the issuer, printed above the seal
    date_text: str  # e.g. 2026年12月04日
    paragraphs: list[str] = field(default_factory=list)
    seal_purpose: str = "电子证照专用章"
    qr_text: str | None = None
    qr_caption: list[str] = field(default_factory=list)  # lines beside the QR code
    footer: list[str] = field(default_factory=list)
    subject: str = ""  # PDF metadata


def render(doc: OfficialDocument) -> bytes:
    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(doc.title)
    c.setAuthor(doc.department)
    c.setSubject(doc.subject or doc.title)
    c.setCreator("掌上办")
    y = HEIGHT - MARGIN - 10 * mm
    c.setFont(FONT, 22)
    c.drawCentredString(WIDTH / 2, y, doc.title)
    y -= 9 * mm
    c.setFont(FONT, 10.5)
    c.drawCentredString(WIDTH / 2, y, f"编号：{doc.number}")
    y -= 12 * mm
    y = _rows(c, doc.rows, y)
    c.setFont(FONT, 12)
    for paragraph in doc.paragraphs:
        for line in wrap("　　" + paragraph, 12, WIDTH - 2 * MARGIN):
            y -= 7 * mm
            c.drawString(MARGIN, y, line)
    # the issuer and date, the seal over them (as on paper)
    sign_y = max(y - 30 * mm, 95 * mm)
    right = WIDTH - MARGIN - 10 * mm
    c.setFont(FONT, 12)
    c.drawRightString(right, sign_y, doc.department)
    c.drawRightString(right, sign_y - 8 * mm, doc.date_text)
    seal.draw(c, right - 22 * mm, sign_y - 2 * mm, 21 * mm, doc.department, doc.seal_purpose)
    if doc.qr_text:
        size = 34 * mm
        qr.draw(c, doc.qr_text, MARGIN, 26 * mm, size)
        c.setFont(FONT, 9)
        for i, line in enumerate(doc.qr_caption):
            c.drawString(MARGIN + size + 5 * mm, 26 * mm + size - 6 * mm - i * 5 * mm, line)
    c.setFont(FONT, 8)
    for i, line in enumerate(doc.footer):
        c.drawCentredString(WIDTH / 2, 14 * mm - i * 4 * mm, line)
    c.showPage()
    c.save()
    return out.getvalue()


def _rows(c: Canvas, rows: list[tuple[str, str]], y: float) -> float:
    label_w = 38 * mm
    value_w = WIDTH - 2 * MARGIN - label_w
    c.setLineWidth(0.6)
    for label, value in rows:
        lines = wrap(value or "—", 12, value_w - 6 * mm) or ["—"]
        h = max(10 * mm, (len(lines) * 6 + 4) * mm)
        c.rect(MARGIN, y - h, label_w, h)
        c.rect(MARGIN + label_w, y - h, value_w, h)
        c.setFont(FONT, 12)
        c.drawString(MARGIN + 3 * mm, y - h / 2 - 1.5 * mm, label)
        for i, line in enumerate(lines):
            c.drawString(MARGIN + label_w + 3 * mm, y - 6.5 * mm - i * 6 * mm, line)
        y -= h
    return y
