"""Which exceptions are an outage (503) and which a bug (500)."""

from __future__ import annotations

import asyncpg

from app import outages


def test_a_connection_caught_mid_protocol_is_a_database_outage() -> None:
    err = asyncpg.exceptions.InternalClientError(
        "cannot switch to state 15; another operation (2) is in progress")
    assert outages.classify(err) == "database"


def test_other_errors_are_not_outages() -> None:
    assert outages.classify(asyncpg.exceptions.InternalClientError("something else")) is None
    assert outages.classify(ValueError("bug")) is None
