"""Alipay's yuan strings and Beijing-time stamps, converted exactly to fen and aware UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")
_YUAN = re.compile(r"^-?\d{1,12}(\.\d{1,2})?$")
_STAMP = "%Y-%m-%d %H:%M:%S"


def fen_to_yuan(fen: int) -> str:
    """8888 → "88.88"; Alipay amounts are yuan strings with two decimals."""
    if not isinstance(fen, int) or isinstance(fen, bool):
        raise TypeError("amount must be integer fen")
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole}.{cents:02d}"


def yuan_to_fen(text: str) -> int:
    """ "88.88" → 8888 exactly (Decimal, never float); anything else is a ValueError."""
    text = text.strip()
    if not _YUAN.match(text):
        raise ValueError(f"not a yuan amount: {text!r}")
    return int(Decimal(text) * 100)


def beijing_stamp(moment: datetime | None = None) -> str:
    """Alipay's ``yyyy-MM-dd HH:mm:ss`` in GMT+8."""
    return (moment or datetime.now(UTC)).astimezone(BEIJING).strftime(_STAMP)


def parse_beijing(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, _STAMP).replace(tzinfo=BEIJING).astimezone(UTC)
    except ValueError:
        return None
