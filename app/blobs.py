"""Stored blobs (generated documents; uploads keep their own folder for now): one small pair
of functions, content-addressed by SHA-256 under ``settings.upload_dir``, so that a storage
interface (local folder / S3, encrypted at rest) can replace them in one place.

The functions block (file I/O): call them through ``asyncio.to_thread`` from async code, or
use the ``*_async`` forms.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
import tempfile
from pathlib import Path

from app.settings import get_settings

_KEY = re.compile(r"^[a-z]{1,16}/[0-9a-f]{2}/[0-9a-f]{64}$")


def _root() -> Path:
    return Path(get_settings().upload_dir)


def put(content: bytes, *, kind: str) -> str:
    """Store ``content``; answer its key (``<kind>/<sha[:2]>/<sha>``). Writing the same bytes
    again is a no-op."""
    sha = hashlib.sha256(content).hexdigest()
    key = f"{kind}/{sha[:2]}/{sha}"
    target = _root() / key
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.replace(tmp, target)
    return key


def get(key: str) -> bytes:
    if not _KEY.match(key):
        raise KeyError(key)
    try:
        return (_root() / key).read_bytes()
    except FileNotFoundError as exc:
        raise KeyError(key) from exc


async def put_async(content: bytes, *, kind: str) -> str:
    return await asyncio.to_thread(put, content, kind=kind)


async def get_async(key: str) -> bytes:
    return await asyncio.to_thread(get, key)
