"""Re-encrypt personal data under the current PII key (``python -m app rotate-pii-key``).

Key rotation: put the new key first in ``ZSB_PII_KEYS`` (keeping the old ones after it so
existing values still decrypt), restart, run this command, then drop the old key. Every
``*_enc`` text column of every model is covered, any column a model lists in
``ENCRYPTED_FIELDS``, and the sealed strings inside JSON columns it lists in
``ENCRYPTED_JSON_FIELDS`` (form fields, SMS routes), so other parts' encrypted data rotates too.
Rows are read in small batches; a row holding a value under an old key is re-read under its
lock and only what is still old is rewritten.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import logging
import os
import re
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidTag
from tortoise import Tortoise
from tortoise.exceptions import OperationalError
from tortoise.models import Model
from tortoise.transactions import in_transaction
from tqdm import tqdm

from app.cli_args import positive_int
from app.security import pii

log = logging.getLogger(__name__)


@dataclass
class RotationReport:
    rewritten: dict[str, int] = field(default_factory=dict)
    unreadable: int = 0
    skipped: list[str] = field(default_factory=list)
    files_resealed: int = 0
    files_missing: int = 0  # stored objects missing or opened by no key in the ring

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


_TOKEN = re.compile(r"^[A-Za-z0-9_-]{1,32}\$[A-Za-z0-9+/]+={0,2}$")


@dataclass(frozen=True)
class Columns:
    model: type[Model]
    text: list[str]  # whole value sealed (or not a sealed value at all: left alone)
    json: list[str]  # documents holding sealed strings, bare or ``enc:``-prefixed


def encrypted_columns() -> list[Columns]:
    out: list[Columns] = []
    for models in Tortoise.apps.values():
        for model in models.values():
            # ``*_enc`` by convention, or named in ``ENCRYPTED_FIELDS`` / ``ENCRYPTED_JSON_FIELDS``
            declared = set(getattr(model, "ENCRYPTED_FIELDS", ()))
            text = [n for n in model._meta.fields_map if n.endswith("_enc") or n in declared]
            json = list(getattr(model, "ENCRYPTED_JSON_FIELDS", ()))
            if text or json:
                out.append(Columns(model, text, json))
    return out


class _Rotator:
    """Re-seals every sealed string it is shown; counts what no key in the ring opens."""

    def __init__(self, ring: pii.Keyring) -> None:
        self.ring = ring
        self.unreadable = 0

    def text(self, value: Any) -> str | None:
        if not isinstance(value, str) or not _TOKEN.match(value):
            return None  # not sealed (an openid beside encrypted phones, say)
        try:
            return reencrypt(value, self.ring)
        except (KeyError, ValueError, InvalidTag):
            self.unreadable += 1
            return None

    def document(self, value: Any) -> tuple[Any, bool]:
        """The document with its sealed strings re-sealed, and whether any changed."""
        if isinstance(value, dict):
            pairs = [(k, *self.document(v)) for k, v in value.items()]
            return {k: v for k, v, _ in pairs}, any(c for _, _, c in pairs)
        if isinstance(value, list):
            items = [self.document(v) for v in value]
            return [v for v, _ in items], any(c for _, c in items)
        if isinstance(value, str):
            mark = pii.IN_DOCUMENT_PREFIX
            prefix = mark if value.startswith(mark) else ""
            new = self.text(value[len(prefix):])
            return (value, False) if new is None else (prefix + new, True)
        return value, False

    def changes(self, cols: Columns, row: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for col in cols.text:
            if (new := self.text(row[col])) is not None:
                out[col] = new
        for col in cols.json:
            doc, changed = self.document(row[col])
            if changed:
                out[col] = doc
        return out


async def rotate_all(
    ring: pii.Keyring | None = None, batch: int = 500, *, progress: bool = False
) -> RotationReport:
    ring = ring or pii.keyring()
    report = RotationReport()
    for cols in encrypted_columns():
        model, names = cols.model, [*cols.text, *cols.json]
        pk = model._meta.pk_attr
        last = None
        name = f"{model._meta.app}.{model.__name__}"
        bar = tqdm(desc=name, unit="row", disable=not progress, leave=False)
        while True:
            query = model.all().order_by(pk).limit(batch)
            if last is not None:
                query = query.filter(**{f"{pk}__gt": last})
            try:
                rows = await query.values(pk, *names)
            except OperationalError:  # the table is not migrated in this database
                report.skipped.append(name)
                break
            if not rows:
                break
            last = rows[-1][pk]
            bar.update(len(rows))
            probe = _Rotator(ring)
            for row in rows:
                if probe.changes(cols, row):
                    report.rewritten[name] = report.rewritten.get(name, 0) + await _rewrite(
                        cols, row[pk], ring)
            report.unreadable += probe.unreadable
        bar.close()
    from app.identity.file_rotation import rotate_files

    report.files_resealed, report.files_missing = await rotate_files(ring)
    log.info("pii rotation: %s rows rewritten, %s unreadable", report.total, report.unreadable)
    return report


async def _rewrite(cols: Columns, key: Any, ring: pii.Keyring) -> int:
    """Re-read the row under its lock and write back what changed: a value written since the
    batch was read (an account deleted, an address corrected) is rotated, never replaced."""
    model, pk = cols.model, cols.model._meta.pk_attr
    async with in_transaction() as conn:
        found = await model.filter(**{pk: key}).select_for_update().using_db(conn).values(
            *cols.text, *cols.json)
        changes = _Rotator(ring).changes(cols, found[0]) if found else {}
        if changes:
            await model.filter(**{pk: key}).using_db(conn).update(**changes)
    return 1 if changes else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app rotate-pii-key")
    parser.add_argument("--batch", type=positive_int, default=500, help="rows per read")
    args = parser.parse_args(argv)

    async def run() -> RotationReport:
        from app.db import close_db, init_db

        await init_db()
        try:
            return await rotate_all(batch=args.batch, progress=True)
        finally:
            await close_db()

    report = asyncio.run(run())
    for name, count in sorted(report.rewritten.items()):
        print(f"{name}: {count} rows re-encrypted under key {pii.keyring().current}")
    for name in report.skipped:
        print(f"{name}: table missing, skipped")
    print(f"stored files re-sealed {report.files_resealed}; missing {report.files_missing}")
    print(f"total {report.total}; unreadable values {report.unreadable}")
    return 1 if report.unreadable else 0
