"""Re-encrypt personal data under the current PII key (``python -m app rotate-pii-key``).

Key rotation: put the new key first in ``ZSB_PII_KEYS`` (keeping the old ones after it so
existing values still decrypt), restart, run this command, then drop the old key. Every
``*_enc`` text column of every model is covered, and any column a model lists in
``ENCRYPTED_FIELDS``, so other parts' encrypted fields rotate too.
Rows are read and written in small batches, each row only if its key id is not current.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import os
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from tortoise import Tortoise
from tortoise.exceptions import OperationalError
from tortoise.models import Model

from app.security import pii

log = logging.getLogger(__name__)


@dataclass
class RotationReport:
    rewritten: dict[str, int] = field(default_factory=dict)
    unreadable: int = 0
    skipped: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.rewritten.values())


def reencrypt(token: str, ring: pii.Keyring) -> str | None:
    """The value sealed under ``ring.current``, or None when it already is."""
    kid, _, b64 = token.partition("$")
    if kid == ring.current:
        return None
    raw = base64.b64decode(b64)
    plain = ring.keys[kid].decrypt(raw[:12], raw[12:], kid.encode())
    nonce = os.urandom(12)
    sealed = ring.keys[ring.current].encrypt(nonce, plain, ring.current.encode())
    return f"{ring.current}${base64.b64encode(nonce + sealed).decode()}"


def encrypted_columns() -> list[tuple[type[Model], list[str]]]:
    out: list[tuple[type[Model], list[str]]] = []
    for models in Tortoise.apps.values():
        for model in models.values():
            # ``*_enc`` by convention, or named in the model's ``ENCRYPTED_FIELDS``
            declared = set(getattr(model, "ENCRYPTED_FIELDS", ()))
            cols = [n for n in model._meta.fields_map if n.endswith("_enc") or n in declared]
            if cols:
                out.append((model, cols))
    return out


async def rotate_all(ring: pii.Keyring | None = None, batch: int = 500) -> RotationReport:
    ring = ring or pii.keyring()
    report = RotationReport()
    for model, cols in encrypted_columns():
        pk = model._meta.pk_attr
        last = None
        name = f"{model._meta.app}.{model.__name__}"
        while True:
            query = model.all().order_by(pk).limit(batch)
            if last is not None:
                query = query.filter(**{f"{pk}__gt": last})
            try:
                rows = await query.values(pk, *cols)
            except OperationalError:  # the table is not migrated in this database
                report.skipped.append(name)
                break
            if not rows:
                break
            last = rows[-1][pk]
            for row in rows:
                changes: dict[str, str] = {}
                for col in cols:
                    if not row[col]:
                        continue
                    try:
                        new = reencrypt(row[col], ring)
                    except (KeyError, ValueError, InvalidTag):
                        report.unreadable += 1
                        continue
                    if new is not None:
                        changes[col] = new
                if changes:
                    await model.filter(**{pk: row[pk]}).update(**changes)
                    report.rewritten[name] = report.rewritten.get(name, 0) + 1
    log.info("pii rotation: %s rows rewritten, %s unreadable", report.total, report.unreadable)
    return report


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app rotate-pii-key")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args(argv)

    async def run() -> RotationReport:
        from app.db import close_db, init_db

        await init_db()
        try:
            return await rotate_all(batch=args.batch)
        finally:
            await close_db()

    report = asyncio.run(run())
    for name, count in sorted(report.rewritten.items()):
        print(f"{name}: {count} rows re-encrypted under key {pii.keyring().current}")
    for name in report.skipped:
        print(f"{name}: table missing, skipped")
    print(f"total {report.total}; unreadable values {report.unreadable}")
    return 1 if report.unreadable else 0
