"""Parse the API v3 trade bill (交易账单, CSV with a backtick before every value)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal, InvalidOperation
from typing import Any


def yuan_to_fen(text: str) -> int:
    try:
        return int((Decimal(text.strip() or "0") * 100).to_integral_value())
    except InvalidOperation as exc:  # a garbled bill is a bad answer, not a crash
        raise ValueError(f"not a yuan amount: {text!r}") from exc


def parse_trade_bill(text: str) -> list[dict[str, Any]]:
    """One dict per payment or refund line; the summary lines at the end are skipped."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [h.strip() for h in rows[0]]
    out: list[dict[str, Any]] = []
    for row in rows[1:]:
        if not row or not row[0].startswith("`"):
            break  # "总交易单数,…" starts the summary
        rec = dict(zip(header, (v.lstrip("`").strip() for v in row), strict=False))
        refund = rec.get("交易状态") == "REFUND"
        out.append(
            {
                "kind": "refund" if refund else "payment",
                "out_trade_no": rec.get("商户订单号", ""),
                "transaction_id": rec.get("微信订单号", ""),
                "amount_fen": yuan_to_fen(rec.get("应结订单金额", "0")),
                "refund_fen": yuan_to_fen(rec.get("退款金额", "0")),
                "out_refund_no": rec.get("商户退款单号") or None,
                "state": rec.get("交易状态", ""),
                "time": rec.get("交易时间", ""),
            }
        )
    return out

