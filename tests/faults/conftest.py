"""Fault tests start their own throw-away services and server, whatever the backend of the
run: they run once, in the PostgreSQL pass of ``make test``."""

from __future__ import annotations

import pytest

from tests.conftest import BACKEND


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if BACKEND == "postgres":
        return
    skip = pytest.mark.skip(reason="fault tests run once, in the PostgreSQL pass")
    for item in items:
        if "tests/faults/" in str(item.fspath):
            item.add_marker(skip)
