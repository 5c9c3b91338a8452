"""QR codes (segno): drawn as vector squares on a reportlab canvas, or as a PNG."""

from __future__ import annotations

import io

import segno
from reportlab.pdfgen.canvas import Canvas

QUIET_ZONE = 2  # modules of white border (4 is the standard's; 2 scans fine on paper)


def make(text: str) -> segno.QRCode:
    # level M: a seal or a fold over part of the code still scans
    return segno.make_qr(text, error="m", boost_error=False)


def draw(canvas: Canvas, text: str, x: float, y: float, size: float) -> None:
    """Draw the code of ``text`` into the square at (x, y) (lower left) of side ``size``."""
    code = make(text)
    rows = list(code.matrix_iter(scale=1, border=QUIET_ZONE))
    module = size / len(rows)
    canvas.saveState()
    canvas.setFillColorRGB(1, 1, 1)
    canvas.rect(x, y, size, size, stroke=0, fill=1)
    canvas.setFillColorRGB(0, 0, 0)
    for r, row in enumerate(rows):
        top = y + size - (r + 1) * module
        for c, dark in enumerate(row):
            if dark:
                canvas.rect(x + c * module, top, module, module, stroke=0, fill=1)
    canvas.restoreState()


def png(text: str, scale: int = 6) -> bytes:
    out = io.BytesIO()
    make(text).save(out, kind="png", scale=scale, border=QUIET_ZONE)
    return out.getvalue()
