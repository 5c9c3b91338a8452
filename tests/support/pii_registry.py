"""Fresh test identities, and a registry of every phone number and ID number a test used,
so the last test can check that none of them appears in clear in the database dump or the
logs."""

from __future__ import annotations

import random

# its own generator: a plugin or a test that seeds the global one (pytest-randomly does, per
# test) must not hand two tests the same phone or ID number
_rng = random.SystemRandom()
USED_PHONES: set[str] = set()
USED_ID_NUMBERS: set[str] = set()

_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国红梅志"


def new_phone() -> str:
    phone = "1" + _rng.choice("3456789") + f"{_rng.randrange(10**9):09d}"
    USED_PHONES.add(phone)
    return phone


def new_ip() -> str:
    return f"10.{_rng.randrange(256)}.{_rng.randrange(256)}.{_rng.randrange(1, 255)}"


def check_char(body17: str) -> str:
    total = sum(int(d) * w for d, w in zip(body17, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def new_id_number(region: str = "110105", birth: str | None = None) -> str:
    """A GB 11643 valid ID number (check digit computed), remembered for the final scan."""
    birth = birth or (
        f"{_rng.randint(1950, 2004)}{_rng.randint(1, 12):02d}{_rng.randint(1, 28):02d}"
    )
    body = f"{region}{birth}{_rng.randrange(1000):03d}"
    number = body + check_char(body)
    USED_ID_NUMBERS.add(number)
    return number


def bad_check_digit(number: str) -> str:
    """The same ID number with a wrong check character."""
    wrong = next(c for c in "0123456789X" if c != number[17])
    USED_ID_NUMBERS.add(number[:17] + wrong)  # personal data too: it must not leak either
    return number[:17] + wrong


def new_name() -> str:
    return _rng.choice(_SURNAMES) + "".join(_rng.choices(_GIVEN, k=_rng.choice((1, 2))))


_USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def new_credit_code(region: str = "110105") -> str:
    """A GB 32100 valid unified social credit code (public data, not registered)."""
    org = "".join(_rng.choice("0123456789ABCDEFGH") for _ in range(9))
    body = f"91{region}{org}"
    total = sum(_USCC_CHARS.index(c) * w for c, w in zip(body, _USCC_WEIGHTS, strict=True))
    return body + _USCC_CHARS[(31 - total % 31) % 31]
