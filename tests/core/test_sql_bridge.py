"""The one SQL bridge (``app/sql.py``): one placeholder style, and a statement whose ``$n``
would bind wrongly on SQLite (out of order, repeated, a gap) refused on both backends."""

from __future__ import annotations

import pytest

from app import sql


@pytest.mark.parametrize("postgres", [True, False])
@pytest.mark.parametrize("text", [
    "UPDATE t SET a = $2, b = $1",  # out of order: ? would swap them on SQLite
    "SELECT * FROM t WHERE a = $1 OR b = $1",  # repeated: SQLite wants a second value
    "SELECT * FROM t WHERE a = $1 AND b = $3",  # a gap
    "SELECT * FROM t WHERE a = $0",
])
def test_a_misnumbered_statement_fails_on_both_backends(text: str, postgres: bool) -> None:
    with pytest.raises(sql.PlaceholderOrderError):
        sql.render(text, postgres)


def test_each_backend_gets_its_own_placeholders_and_locks() -> None:
    text = "SELECT * FROM t o WHERE a = $1 AND b = $2{lock_o}"
    assert sql.render(text, True) == "SELECT * FROM t o WHERE a = $1 AND b = $2 FOR UPDATE OF o"
    assert sql.render(text, False) == "SELECT * FROM t o WHERE a = ? AND b = ?"
    assert sql.render("SELECT 1 FROM t LIMIT $1{skip_locked}", True).endswith(
        "LIMIT $1 FOR UPDATE SKIP LOCKED")
    assert sql.render("SELECT 1", False) == "SELECT 1"


def test_marks_number_lists_and_rows() -> None:
    assert sql.marks(3) == "$1, $2, $3"
    assert sql.marks(2, 3) == "($1, $2, $3), ($4, $5, $6)"
    assert sql.marks(2, start=4) == "$4, $5"
    assert sql.check_placeholders(sql.marks(3, 2)) == 6
