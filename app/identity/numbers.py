"""Validation of the national numbers a person or a company gives us, before any provider call.

- 居民身份证号码 GB 11643-1999: 17 digits + check character (ISO 7064 MOD 11-2), a real birth
  date, a known region; python-stdnum ``stdnum.cn.ric``.
- 统一社会信用代码 GB 32100-2015: 18 characters, check character MOD 31; python-stdnum
  ``stdnum.cn.uscc``.
"""

from __future__ import annotations

from datetime import date

from stdnum.cn import ric, uscc
from stdnum.exceptions import (
    InvalidChecksum,
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)


class InvalidNumber(ValueError):
    """A number failed its check; ``reason`` is stable, ``message`` is for the person."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.message = message


_RIC_MESSAGES: dict[type[ValidationError], tuple[str, str]] = {
    InvalidLength: ("length", "身份证号码应为18位"),
    InvalidFormat: ("format", "身份证号码格式不正确"),
    InvalidChecksum: ("checksum", "身份证号码校验位不正确，请核对后重新输入"),
    InvalidComponent: ("component", "身份证号码中的出生日期或地区代码不正确"),
}

_USCC_MESSAGES: dict[type[ValidationError], tuple[str, str]] = {
    InvalidLength: ("length", "统一社会信用代码应为18位"),
    InvalidFormat: ("format", "统一社会信用代码格式不正确"),
    InvalidChecksum: ("checksum", "统一社会信用代码校验位不正确，请核对后重新输入"),
    InvalidComponent: ("component", "统一社会信用代码格式不正确"),
}


_Table = dict[type[ValidationError], tuple[str, str]]


def _reason(exc: ValidationError, table: _Table) -> InvalidNumber:
    for cls, (reason, message) in table.items():
        if isinstance(exc, cls):
            return InvalidNumber(reason, message)
    return InvalidNumber("format", next(iter(table.values()))[1])


def normalize_id_number(raw: str, *, today: date | None = None) -> str:
    """Answer the canonical 18-character number (upper-case X) or raise ``InvalidNumber``."""
    try:
        number = ric.validate(raw.strip())
    except ValidationError as exc:
        raise _reason(exc, _RIC_MESSAGES) from None
    if len(number) != 18:  # the 15-digit first generation cards are no longer valid
        raise InvalidNumber("length", "身份证号码应为18位")
    born = ric.get_birth_date(number)
    if born > (today or date.today()) or born.year < 1880:
        raise InvalidNumber("component", "身份证号码中的出生日期或地区代码不正确")
    return number


def normalize_credit_code(raw: str) -> str:
    """Answer the canonical unified social credit code or raise ``InvalidNumber``."""
    try:
        return uscc.validate(raw.strip().upper())
    except ValidationError as exc:
        raise _reason(exc, _USCC_MESSAGES) from None
