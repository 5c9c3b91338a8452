"""The two calls a decision document needs from outside: render its content as a PDF, and keep
the bytes as a blob. Both are meant to be the shared ones — ``app.documents.pdf.render`` (the
certificates' renderer, with the seal image) and ``app.blobs.put`` / ``get`` (which the storage
interface replaces) — and are said here once, so switching to them changes only this module.

Until those land, ``_render`` draws the same page with reportlab's built-in CID font
``STSong-Light`` (PDF readers supply it: nothing is downloaded or embedded), and blobs are
written under ``settings.upload_dir`` in the same ``<kind>/<sha[:2]>/<sha>`` layout, so keys
written now stay readable afterwards. Both block: call the ``*_async`` forms from async code.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import re
import tempfile
from pathlib import Path

from app.decisions.content import DecisionContent
from app.settings import get_settings

KIND = "decision"
_KEY = re.compile(r"^[a-z]{1,16}/[0-9a-f]{2}/[0-9a-f]{64}$")


def _render(doc: DecisionContent) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen.canvas import Canvas

    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    width, height = A4
    margin = 22 * mm

    def wrap(text: str, size: float, room: float) -> list[str]:
        lines, line = [], ""
        for ch in text:
            if line and pdfmetrics.stringWidth(line + ch, font, size) > room:
                lines.append(line)
                line = ch
            else:
                line += ch
        return [*lines, line] if line else lines

    out = io.BytesIO()
    c = Canvas(out, pagesize=A4, invariant=1, pageCompression=1)
    c.setTitle(doc.title)
    c.setAuthor(doc.department)
    c.setSubject(doc.subject or doc.title)
    y = height - margin - 10 * mm
    c.setFont(font, 22)
    c.drawCentredString(width / 2, y, doc.title)
    y -= 9 * mm
    c.setFont(font, 10.5)
    c.drawCentredString(width / 2, y, doc.number)
    y -= 10 * mm
    label_w, value_w = 38 * mm, width - 2 * margin - 38 * mm
    for label, value in doc.rows:
        lines = wrap(value or "—", 11, value_w - 6 * mm) or ["—"]
        h = max(9 * mm, (len(lines) * 5.5 + 3.5) * mm)
        c.rect(margin, y - h, label_w, h)
        c.rect(margin + label_w, y - h, value_w, h)
        c.setFont(font, 11)
        for i, text in enumerate(wrap(label, 11, label_w - 6 * mm)[:2]):
            c.drawString(margin + 3 * mm, y - 6 * mm - i * 5.5 * mm, text)
        for i, line in enumerate(lines):
            c.drawString(margin + label_w + 3 * mm, y - 6 * mm - i * 5.5 * mm, line)
        y -= h
    y -= 4 * mm
    c.setFont(font, 12)
    for n, paragraph in enumerate(doc.paragraphs):
        for line in wrap(paragraph if n == 0 else "　　" + paragraph, 12, width - 2 * margin):
            y -= 7 * mm
            c.drawString(margin, y, line)
    sign_y = max(y - 25 * mm, 40 * mm)
    right = width - margin - 10 * mm
    c.drawRightString(right, sign_y, f"{doc.department}（{doc.seal_purpose}）")
    c.drawRightString(right, sign_y - 8 * mm, doc.date_text)
    c.setFont(font, 8)
    for i, line in enumerate(doc.footer):
        c.drawCentredString(width / 2, 14 * mm - i * 4 * mm, line)
    c.showPage()
    c.save()
    return out.getvalue()


def render_pdf(doc: DecisionContent) -> bytes:
    """The PDF of one decision document (pure CPU, tens of milliseconds)."""
    return _render(doc)


def _root() -> Path:
    return Path(get_settings().upload_dir)


def put(content: bytes) -> str:
    """Keep ``content``; answer its key. The same bytes again are a no-op."""
    sha = hashlib.sha256(content).hexdigest()
    key = f"{KIND}/{sha[:2]}/{sha}"
    target = _root() / key
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, target)
    return key


def get(key: str) -> bytes:
    if not _KEY.match(key):
        raise KeyError(key)
    try:
        return (_root() / key).read_bytes()
    except FileNotFoundError as exc:
        raise KeyError(key) from exc


async def render_and_put(doc: DecisionContent) -> tuple[bytes, str]:
    def work() -> tuple[bytes, str]:
        pdf = render_pdf(doc)
        return pdf, put(pdf)

    return await asyncio.to_thread(work)


async def get_async(key: str) -> bytes:
    return await asyncio.to_thread(get, key)
