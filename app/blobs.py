"""Stored documents (certificate and decision PDFs): content-addressed by the SHA-256 of the
plain bytes (``<kind>/<sha[:2]>/<sha>``), sealed under the personal-data keys and kept in the
one store (``app.storage``: local folder or S3-compatible bucket), like uploaded materials.
"""

from __future__ import annotations

import hashlib
import re

from app import storage
from app.security import sealed_files

_KEY = re.compile(r"^[a-z]{1,16}/[0-9a-f]{2}/[0-9a-f]{64}$")


def key_for(content: bytes, *, kind: str) -> str:
    sha = hashlib.sha256(content).hexdigest()
    return f"{kind}/{sha[:2]}/{sha}"


async def put_async(content: bytes, *, kind: str) -> str:
    """Store ``content``; answer its key. Writing the same bytes again is a no-op."""
    key = key_for(content, kind=kind)
    await put_at(key, content)
    return key


async def put_at(key: str, content: bytes) -> None:
    store = storage.store()
    if not await store.exists(key):
        await store.put(key, sealed_files.seal_chunks(content))


async def get_async(key: str) -> bytes:
    if not _KEY.match(key):
        raise KeyError(key)
    pieces = [p async for p in sealed_files.open_chunks(storage.store().get(key))]
    return b"".join(pieces)

