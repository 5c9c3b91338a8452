"""The Chinese font of every document: reportlab's built-in CID font ``STSong-Light`` (宋体),
which PDF readers supply themselves, so nothing is downloaded or embedded."""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont

FONT = "STSong-Light"

pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def width(text: str, size: float) -> float:
    return float(pdfmetrics.stringWidth(text, FONT, size))


def wrap(text: str, size: float, max_width: float) -> list[str]:
    """Break ``text`` into lines no wider than ``max_width`` (Chinese breaks anywhere)."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if width(line + ch, size) > max_width and line:
            lines.append(line)
            line = ch
        else:
            line += ch
    return [*lines, line] if line else lines
