"""Case numbers: ``yyyymmdd`` (Asia/Shanghai) + a six-digit daily sequence + a Luhn check
digit, e.g. ``202611220000017``. Readable over the phone, typed into a chat as "进度 2026…",
and a mistyped number is recognised as such without a database look-up."""

from __future__ import annotations

from datetime import datetime

from stdnum import luhn
from tortoise.backends.base.client import BaseDBAsyncClient

from app import clock, sql

NUMBER_LENGTH = 15
COUNTERS = frozenset({"case_number_counter", "ticket_number_counter"})


def _next(counter: str) -> str:
    if counter not in COUNTERS:  # a table name: never anything from outside
        raise ValueError(counter)
    return (
        f"INSERT INTO {counter} (day, value) VALUES ($1, 1) ON CONFLICT (day)"  # noqa: S608
        f" DO UPDATE SET value = {counter}.value + 1 RETURNING value"
    )


async def next_number(connection: BaseDBAsyncClient, at: datetime | None = None, *,
                      counter: str = "case_number_counter") -> str:
    """The next number of the day; ``counter`` names the table of another series numbered the
    same way (12345 tickets: ``ticket_number_counter``)."""
    day = clock.local(at or clock.now()).strftime("%Y%m%d")
    rows = await sql.rows(connection, _next(counter), day)
    body = f"{day}{int(rows[0]['value']):06d}"
    return body + luhn.calc_check_digit(body)


def is_well_formed(number: str) -> bool:
    return len(number) == NUMBER_LENGTH and number.isdigit() and luhn.is_valid(number)
