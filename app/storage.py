"""Where stored files live: one interface, a local folder (the embedded default) or an
S3-compatible object store (``ZSB_STORAGE=s3``, the scale-out option: every host reads what any
host wrote). Files arrive here already sealed (``app.security.sealed_files``): the store never
sees a plain byte of a material or a document.

Keys look like ``<kind>/<name>``; a key written before this interface (a material's
``ab/<sha256>``) names the same relative path in the local folder.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import tempfile
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import Any, Protocol

from app.settings import Settings, get_settings

_KEY = re.compile(r"^[a-z0-9]{1,16}(/[A-Za-z0-9._-]{1,128}){1,3}$")
READ_CHUNK = 256 * 1024


def check_key(key: str) -> str:
    if not _KEY.match(key) or ".." in key:
        raise KeyError(key)
    return key


class BlobStore(Protocol):
    async def put(self, key: str, pieces: Iterable[bytes]) -> None: ...

    def get(self, key: str) -> AsyncIterator[bytes]:
        """The stored bytes in pieces; KeyError when there is no such object."""
        ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None: ...

    async def close(self) -> None: ...


class LocalStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    async def put(self, key: str, pieces: Iterable[bytes]) -> None:
        await asyncio.to_thread(self._put, self._path(key), pieces)

    @staticmethod
    def _put(target: Path, pieces: Iterable[bytes]) -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                for piece in pieces:
                    fh.write(piece)
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    async def get(self, key: str) -> AsyncIterator[bytes]:
        try:
            fh = await asyncio.to_thread(self._path(key).open, "rb")
        except FileNotFoundError as exc:
            raise KeyError(key) from exc
        try:
            while piece := await asyncio.to_thread(fh.read, READ_CHUNK):
                yield piece
        finally:
            fh.close()

    async def exists(self, key: str) -> bool:
        return await asyncio.to_thread(self._path(key).exists)

    async def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread(self._path(key).unlink)

    async def close(self) -> None:
        return None


class S3Store:
    """An S3-compatible bucket through aiobotocore (one client per process, opened lazily)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.bucket = settings.s3_bucket
        self._client: Any = None
        self._exit: contextlib.AsyncExitStack | None = None
        self._lock = asyncio.Lock()

    async def _s3(self) -> Any:
        if self._client is None:
            async with self._lock:
                if self._client is None:
                    from aiobotocore.session import get_session

                    s = self.settings
                    stack = contextlib.AsyncExitStack()
                    self._client = await stack.enter_async_context(get_session().create_client(
                        "s3", endpoint_url=s.s3_endpoint_url or None, region_name=s.s3_region,
                        aws_access_key_id=s.s3_access_key_id or None,
                        aws_secret_access_key=s.s3_secret_access_key.get_secret_value() or None,
                    ))
                    self._exit = stack
        return self._client

    async def put(self, key: str, pieces: Iterable[bytes]) -> None:
        client = await self._s3()
        # spooled: a small object stays in memory, a large one goes through a temporary file
        with tempfile.SpooledTemporaryFile(max_size=1024 * 1024) as spool:
            await asyncio.to_thread(lambda: [spool.write(p) for p in pieces])
            length = spool.tell()
            spool.seek(0)
            await client.put_object(Bucket=self.bucket, Key=check_key(key), Body=spool,
                                    ContentLength=length)

    async def get(self, key: str) -> AsyncIterator[bytes]:
        client = await self._s3()
        try:
            answer = await client.get_object(Bucket=self.bucket, Key=check_key(key))
        except client.exceptions.NoSuchKey as exc:
            raise KeyError(key) from exc
        async with answer["Body"] as body:
            while piece := await body.read(READ_CHUNK):
                yield piece

    async def exists(self, key: str) -> bool:
        client = await self._s3()
        try:
            await client.head_object(Bucket=self.bucket, Key=check_key(key))
        except client.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in {"404", "NoSuchKey", "NotFound"}:
                return False
            raise
        return True

    async def delete(self, key: str) -> None:
        client = await self._s3()
        await client.delete_object(Bucket=self.bucket, Key=check_key(key))

    async def close(self) -> None:
        if self._exit is not None:
            await self._exit.aclose()
        self._client = self._exit = None


_stores: dict[tuple[str, str, str], BlobStore] = {}


def store(settings: Settings | None = None) -> BlobStore:
    """The store the settings name (one per process and configuration)."""
    s = settings or get_settings()
    ident = (s.storage, s.upload_dir, s.s3_bucket)
    if ident not in _stores:
        _stores[ident] = S3Store(s) if s.storage == "s3" else LocalStore(s.upload_dir)
    return _stores[ident]


async def read_all(key: str, settings: Settings | None = None) -> bytes:
    return b"".join([piece async for piece in store(settings).get(key)])
