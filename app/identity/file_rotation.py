"""Stored files under the current personal-data key (part of ``rotate-pii-key``): every
material, attachment, certificate PDF and decision document whose sealed object names an older
key id, or that was stored before encryption at rest, is sealed again in place, one at a time,
as a stream (spooled through a temporary file, never whole in memory)."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from collections.abc import AsyncIterator

from tortoise.exceptions import OperationalError

from app import storage
from app.security import pii, sealed_files

log = logging.getLogger("zsb.rotation")


async def _head(store: storage.BlobStore, key: str) -> bytes:
    async for piece in store.get(key):
        return piece[:64]
    return b""


async def stored_keys() -> list[str]:
    from models.cases import Material
    from models.certificates import Certificate
    from models.handling import DecisionDocument
    from models.tickets import Attachment

    keys: set[str] = set()
    for model, column in ((Material, "storage_path"), (Attachment, "storage_path"),
                          (Certificate, "pdf_key"), (DecisionDocument, "blob_key")):
        try:
            values = await model.exclude(**{f"{column}__isnull": True}).values_list(
                column, flat=True)
        except OperationalError:  # the table is not migrated in this database
            continue
        keys.update(str(v) for v in values if v)
    return sorted(keys)


async def rotate_files(ring: pii.Keyring | None = None) -> tuple[int, int]:
    """Re-seal what is not under ``ring.current``: answer (re-sealed, missing)."""
    ring = ring or pii.keyring()
    store = storage.store()
    resealed = missing = 0
    for key in await stored_keys():
        try:
            head = await _head(store, key)
        except KeyError:
            missing += 1
            continue
        if sealed_files.key_id_of(head) == ring.current:
            continue
        try:
            await _reseal(store, key, ring)
        except (KeyError, sealed_files.SealedFileError):
            log.warning("stored file %s not re-sealed: missing or no key opens it", key)
            missing += 1
            continue
        resealed += 1
    log.info("file rotation: %s re-sealed, %s missing", resealed, missing)
    return resealed, missing


async def _reseal(store: storage.BlobStore, key: str, ring: pii.Keyring) -> None:
    with tempfile.TemporaryFile() as spool:
        plain: AsyncIterator[bytes] = sealed_files.open_chunks(store.get(key), ring=ring)
        async for piece in sealed_files.seal_stream(plain, ring=ring):
            await asyncio.to_thread(spool.write, piece)
        spool.seek(0)
        await store.put(key, iter(lambda: spool.read(storage.READ_CHUNK), b""))
