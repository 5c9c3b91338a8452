"""No ID number or phone number is readable in the database dump (PostgreSQL: ``pg_dump`` of
this run's database; SQLite: the database files) or in the log output.

The module makes its own person first (a phone login and a real-name check), so it checks
something wherever it runs in the order; it also checks every value the run has used so far
(the test registry, and every stored person decrypted), so run last it covers the suite."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from app.security import pii
from models.express import DeliveryPreference, Direction, Shipment
from models.identity import Person
from tests.support.identity_flows import consent, known_person, verify_l2
from tests.support.log_capture import LOG_LINES
from tests.support.pii_registry import USED_ID_NUMBERS, USED_PHONES

RECEIVER_CONTACT = ("receiver_phone", "receiver_address")


async def _stored_values() -> set[str]:
    """Phones and ID numbers of people, phones and addresses of citizens receiving a
    shipment (a material pick-up goes to the hall, whose address is public)."""
    values: set[str] = set()
    sources = (
        (Person.all(), ("phone_enc", "id_number_enc")),
        (Shipment.filter(direction=Direction.result_delivery), RECEIVER_CONTACT),
        (DeliveryPreference.all(), RECEIVER_CONTACT),
    )
    for query, columns in sources:
        for row in await query.values(*columns):
            for sealed in row.values():
                plain = pii.decrypt(sealed) if sealed else ""
                if len(plain) >= 6:  # an empty or tiny value says nothing in a dump
                    values.add(plain)
    return values


def _dump(database_url: str) -> str:
    if database_url.startswith("sqlite"):
        path = Path(database_url.split("://", 1)[1])
        parts = [p for p in (path, Path(f"{path}-wal")) if p.exists()]
        return "".join(p.read_bytes().decode("utf-8", "replace") for p in parts)
    url = "postgresql://" + database_url.split("://", 1)[1]
    done = subprocess.run(
        ["pg_dump", "--no-owner", "--data-only", url],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return done.stdout.decode("utf-8", "replace")


def _where(text: str, value: str) -> str:
    """The table a pg_dump line holding ``value`` belongs to (its ``COPY`` header)."""
    at = text.find(value)
    header = text.rfind("COPY ", 0, at)
    return text[header + 5 : text.find(" ", header + 5)] if header >= 0 else "?"


def _leaks(text: str, values: set[str]) -> list[str]:
    found = []
    for value in values:
        hit = value if value in text else value[:-1] + "x" if value.endswith("X") else None
        if hit is None or hit not in text:
            continue
        masked = (pii.mask_id_number(value) if len(value) == 18
                  else pii.mask_phone(value) if value.isdigit() else pii.mask_address(value))
        found.append(f"{masked} in {_where(text, hit)}")
    return sorted(found)


@pytest.fixture(scope="module")
async def own_values(api, citizen, sims) -> set[str]:  # type: ignore[no-untyped-def]
    """A person of this module's own: a phone and an ID number stored encrypted."""
    who = await citizen()
    await consent(api, who.headers, "realname")
    name, number = await known_person(sims["idcheck"].base_url)
    resp = await verify_l2(api, who.headers, name, number)
    assert resp.status_code == 200, resp.text
    return {who.phone, number}


@pytest.fixture
async def sensitive_values(own_values: set[str]) -> set[str]:
    values = own_values | set(USED_ID_NUMBERS) | set(USED_PHONES) | await _stored_values()
    assert own_values <= await _stored_values()  # this module's person is in the database
    return values


async def test_database_dump_holds_no_plaintext(settings, sensitive_values: set[str]) -> None:  # type: ignore[no-untyped-def]
    dump = _dump(settings.database_url)
    # the dump really holds the people: their phones as ciphertexts under a key id
    assert f"{pii.keyring().current}$" in dump
    assert _leaks(dump, sensitive_values) == []


async def test_log_output_holds_no_plaintext(sensitive_values: set[str]) -> None:
    assert LOG_LINES, "no log line was recorded"
    assert _leaks("\n".join(LOG_LINES), sensitive_values) == []
