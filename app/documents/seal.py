"""The image of a department's seal (电子印章的印模): a red ring with the department's name
around the top, a five-pointed star in the middle and the seal's purpose below it, drawn as
vectors. The image only shows; what proves the document is the SM2 signature beside it."""

from __future__ import annotations

import math

from reportlab.pdfgen.canvas import Canvas

from app.documents.text import FONT

RED = (0.85, 0.1, 0.1)


def draw(canvas: Canvas, cx: float, cy: float, radius: float, name: str,
         purpose: str = "电子证照专用章") -> None:
    canvas.saveState()
    canvas.setStrokeColorRGB(*RED)
    canvas.setFillColorRGB(*RED)
    canvas.setLineWidth(radius * 0.06)
    canvas.circle(cx, cy, radius, stroke=1, fill=0)
    _star(canvas, cx, cy, radius * 0.28)
    _arc_text(canvas, cx, cy, radius * 0.72, name, size=radius * 0.2)
    canvas.setFont(FONT, radius * 0.13)
    canvas.drawCentredString(cx, cy - radius * 0.55, purpose)
    canvas.restoreState()


def _star(canvas: Canvas, cx: float, cy: float, r: float) -> None:
    path = canvas.beginPath()
    for i in range(10):
        radius = r if i % 2 == 0 else r * 0.4
        angle = math.pi / 2 + i * math.pi / 5
        x, y = cx + radius * math.cos(angle), cy + radius * math.sin(angle)
        path.moveTo(x, y) if i == 0 else path.lineTo(x, y)
    path.close()
    canvas.drawPath(path, stroke=0, fill=1)


def _arc_text(canvas: Canvas, cx: float, cy: float, r: float, text: str, size: float) -> None:
    """Characters spread over the upper arc, each turned to face the centre."""
    span = min(math.radians(240), math.radians(24) * max(len(text) - 1, 1))
    start = math.pi / 2 + span / 2
    step = span / max(len(text) - 1, 1)
    canvas.setFont(FONT, size)
    for i, ch in enumerate(text):
        angle = start - i * step if len(text) > 1 else math.pi / 2
        canvas.saveState()
        canvas.translate(cx + r * math.cos(angle), cy + r * math.sin(angle))
        canvas.rotate(math.degrees(angle) - 90)
        canvas.drawCentredString(0, -size * 0.35, ch)
        canvas.restoreState()
