"""GB 11643 ID numbers and GB 32100 credit codes: the published vectors (protocols reference §5)."""

from __future__ import annotations

from datetime import date

import pytest

from app.identity.numbers import InvalidNumber, normalize_credit_code, normalize_id_number

VALID_IDS = [
    "360426199101010071",
    "44011320141005001X",
    "412723199010050012",
    "110102199101010078",
    "120110198012010073",
    "11010519491231002X",
    "440305199505132561",
]


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_id_numbers(number: str) -> None:
    assert normalize_id_number(number) == number


def test_lowercase_x_and_spaces_are_normalised() -> None:
    assert normalize_id_number(" 44011320141005001x ") == "44011320141005001X"


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("36042619910102009X", "checksum"),
        ("11204416541220243X", "checksum"),  # Tencent's doc sample: the digit should be 4
        ("360426199113010079", "component"),  # checksum passes, month 13
        ("990426199112010074", "component"),  # unknown region
        # the GB 11643 standard's own example: check digit right, but region 440524 is not in
        # python-stdnum's table of region codes, so it is refused as a component
        ("440524188001010014", "component"),
        ("T60426199101010078", "format"),
        ("3604261991010100", "length"),
        ("360426910101007", "length"),  # first-generation 15-digit numbers are not accepted
    ],
)
def test_invalid_id_numbers(number: str, reason: str) -> None:
    with pytest.raises(InvalidNumber) as err:
        normalize_id_number(number)
    assert err.value.reason == reason
    assert "身份证" in err.value.message


def test_birth_date_in_the_future_is_refused() -> None:
    with pytest.raises(InvalidNumber):
        normalize_id_number("360426199101010071", today=date(1990, 1, 1))


@pytest.mark.parametrize(
    "code", ["91110000600037341L", "121200004013590816", "91340600MA2PBM9HXD", "91350100M000100Y43"]
)
def test_valid_credit_codes(code: str) -> None:
    assert normalize_credit_code(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("91110000600037341N", "checksum"),
        ("A1110000600037341L", "format"),
        ("9111000060003IOZSV", "format"),
        ("12345", "length"),
    ],
)
def test_invalid_credit_codes(code: str, reason: str) -> None:
    with pytest.raises(InvalidNumber) as err:
        normalize_credit_code(code)
    assert err.value.reason == reason
