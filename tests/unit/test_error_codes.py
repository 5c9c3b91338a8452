"""Every error code the source can answer is in the one catalogue (``app/error_codes.py``)
with the status it answers with, so a code added later without an entry fails here."""

from __future__ import annotations

from app.error_codes import CATALOGUE
from tests.support.error_scan import scan


def test_every_error_code_in_the_source_is_catalogued() -> None:
    uses = scan()
    assert len({u.code for u in uses}) > 150  # the scan still reads the raises
    missing = sorted({f"{u.code} ({u.where})" for u in uses if u.code not in CATALOGUE})
    assert missing == [], "add these to app/error_codes.py"


def test_each_code_answers_its_catalogued_status() -> None:
    wrong = sorted(
        f"{u.code} {u.status} ({u.where})" for u in scan()
        if u.code in CATALOGUE and u.status is not None
        and u.status not in (CATALOGUE[u.code].status, *CATALOGUE[u.code].also))
    assert wrong == []


def test_catalogue_messages_are_chinese() -> None:
    assert all(any("\u4e00" <= ch <= "\u9fff" for ch in e.message) for e in CATALOGUE.values())
