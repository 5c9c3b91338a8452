"""Case numbers: ``yyyymmdd`` (Asia/Shanghai) + a six-digit daily sequence + a Luhn check
digit, e.g. ``202611220000017``. Readable over the phone, typed into a chat as "进度 2026…",
and a mistyped number is recognised as such without a database look-up."""

from __future__ import annotations

from datetime import datetime

from stdnum import luhn
from tortoise.backends.base.client import BaseDBAsyncClient

from app import clock, sql

NUMBER_LENGTH = 15
_NEXT = (
    "INSERT INTO case_number_counter (day, value) VALUES ($1, 1) ON CONFLICT (day)"
    " DO UPDATE SET value = case_number_counter.value + 1 RETURNING value"
)


async def next_number(connection: BaseDBAsyncClient, at: datetime | None = None) -> str:
    day = clock.local(at or clock.now()).strftime("%Y%m%d")
    rows = await sql.rows(connection, _NEXT, day)
    body = f"{day}{int(rows[0]['value']):06d}"
    return body + luhn.calc_check_digit(body)


def is_well_formed(number: str) -> bool:
    return len(number) == NUMBER_LENGTH and number.isdigit() and luhn.is_valid(number)
