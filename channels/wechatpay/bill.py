"""Parse the API v3 trade bill (交易账单, CSV with a backtick before every value)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from typing import Any

COLUMNS = (
    "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,"
    "付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,"
    "退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"
).split(",")


def yuan_to_fen(text: str) -> int:
    return int((Decimal(text.strip() or "0") * 100).to_integral_value())


def fen_to_yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:.2f}"


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

