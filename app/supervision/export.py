"""The supervision figures as a file: CSV (UTF-8 with a BOM, which Excel needs to read Chinese)
and XLSX (openpyxl), with the same columns and the same numbers as the API's rows."""

from __future__ import annotations

import csv
import io
from typing import Any, Literal

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from app.supervision.figures import LABELS

Format = Literal["csv", "xlsx"]
COLUMNS: tuple[str, ...] = (
    "received", "accepted", "refused", "approved", "denied", "completed", "withdrawn",
    "decided", "decided_on_time", "decided_late", "on_time_rate", "overdue_now", "overdue_ever",
    "avg_days_used", "avg_days_promised", "supplemented", "supplement_rate",
    "second_supplements", "received_online", "online_share", "fees_collected_fen",
    "fees_refunded_fen", "ratings", "ratings_bad", "satisfaction_rate", "avg_rating",
    "complaints",
)
MEDIA = {"csv": "text/csv; charset=utf-8",
         "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def _heads(by: str) -> list[tuple[str, str]]:
    names = [("department_name", LABELS["department"])]
    if by == "item":
        names += [("item_code", "事项编码"), ("item_name", LABELS["item"])]
    return names + [(c, LABELS[c]) for c in COLUMNS]


def table(result: dict[str, Any]) -> list[list[Any]]:
    """Heading row, one row per department (or item), and the total."""
    heads = _heads(result["by"])
    out: list[list[Any]] = [[label for _, label in heads]]
    for row in result["rows"]:
        out.append([row.get(key) for key, _ in heads])
    total = {**result["totals"], "department_name": "合计"}
    out.append([total.get(key) for key, _ in heads])
    return out


def render(result: dict[str, Any], fmt: Format) -> bytes:
    rows = table(result)
    if fmt == "csv":
        text = io.StringIO()
        csv.writer(text, lineterminator="\r\n").writerows(
            ["" if v is None else v for v in r] for r in rows)
        return ("\ufeff" + text.getvalue()).encode("utf-8")
    return _xlsx(result, rows)


def _xlsx(result: dict[str, Any], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "电子监察"
    sheet.append([f"统计期间：{result['start']} 至 {result['end']}"])
    for row in rows:
        sheet.append(row)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for i, (key, _) in enumerate(_heads(result["by"]), 1):
        width = 24 if key in ("department_name", "item_name") else 12
        sheet.column_dimensions[get_column_letter(i)].width = width
        if key.endswith("_rate") or key == "online_share":
            for (cell,) in sheet.iter_rows(min_row=3, min_col=i, max_col=i):
                cell.number_format = "0.00%"
    sheet.freeze_panes = "B3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def filename(result: dict[str, Any], fmt: Format) -> str:
    return f"电子监察_{result['start']}_{result['end']}.{fmt}"
