"""The refund numbers given by the system itself, beside the pattern that reserves them.

Each is derived from what it refunds, so asking twice asks for the same refund (the platform
and our unique ``out_refund_no`` both refuse a second one); a staff refund may not take one.
"""

from __future__ import annotations

import hashlib
import re

AUTOMATIC_REFUND_NO = re.compile(r"(AR|S[0-9A-F]{8})$")


def anomaly_refund_no(out_trade_no: str) -> str:
    """The refund of an order paid when it should not have been (once per order)."""
    return f"{out_trade_no}AR"


def surplus_refund_no(out_trade_no: str, transaction_id: str) -> str:
    """The refund of a second payment of one order (once per platform transaction)."""
    return f"{out_trade_no}S{hashlib.sha256(transaction_id.encode()).hexdigest()[:8].upper()}"
