"""Parse Alipay's daily trade bill ("业务明细") into rows the reconciliation job matches.

The bill is a zip of GBK CSV files (a detail file and a "汇总" summary); lines starting with
``#`` are banners. Columns are found by their Chinese header names, so the extra columns of a
real bill (门店, 操作员, 服务费 …) are ignored. Values often carry a trailing tab that keeps
spreadsheets from mangling long numbers; it is stripped.
"""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

from .amounts import yuan_to_fen

COL_TRADE_NO = "支付宝交易号"
COL_OUT_TRADE_NO = "商户订单号"
COL_KIND = "业务类型"
COL_AMOUNT = "订单金额（元）"
COL_REQUEST_NO = "退款批次号/请求号"
COL_FINISHED = "完成时间"


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("gbk", errors="replace")


def bill_text(data: bytes) -> str:
    """The detail CSV's text, from a zip (real Alipay) or a bare CSV."""
    if not data.startswith(b"PK"):
        return _decode(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = [n for n in zf.namelist() if n.endswith(".csv")]
        detail = [n for n in names if "汇总" not in _zip_name(n)] or names
        if not detail:
            raise ValueError("bill zip holds no CSV")
        return _decode(zf.read(detail[0]))


def _zip_name(name: str) -> str:
    # zip entries written without the UTF-8 flag are cp437-decoded by zipfile; real bills use GBK
    try:
        return name.encode("cp437").decode("gbk")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return name


def parse_bill(data: bytes) -> list[dict[str, Any]]:
    lines = [ln for ln in bill_text(data).splitlines() if ln.strip() and not ln.startswith("#")]
    if not lines:
        return []
    reader = csv.reader(lines)
    header = [h.strip() for h in next(reader)]
    index = {name: i for i, name in enumerate(header)}
    for needed in (COL_TRADE_NO, COL_OUT_TRADE_NO, COL_KIND, COL_AMOUNT):
        if needed not in index:
            raise ValueError(f"bill has no column {needed}")
    rows: list[dict[str, Any]] = []
    for record in reader:
        cells = [c.strip() for c in record]
        if len(cells) < len(header):
            continue
        kind = "refund" if cells[index[COL_KIND]] == "退款" else "pay"
        rows.append({
            "out_trade_no": cells[index[COL_OUT_TRADE_NO]],
            "trade_no": cells[index[COL_TRADE_NO]],
            "amount_fen": abs(yuan_to_fen(cells[index[COL_AMOUNT]])),
            "kind": kind,
            "out_refund_no": cells[index[COL_REQUEST_NO]] if COL_REQUEST_NO in index else "",
            "finished_at": cells[index[COL_FINISHED]] if COL_FINISHED in index else "",
        })
    return rows
