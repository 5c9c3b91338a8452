"""Files encrypted at rest under the personal-data keys (``app.security.pii``), in chunks, so a
file is sealed and opened as a stream and never held twice in memory.

Layout: ``ZSBF`` · version (1) · key-id length (1) · key id · nonce prefix (7 bytes), then the
file in chunks of ``CHUNK`` bytes, each sealed with the key's AEAD under the nonce
``prefix · chunk number (4 bytes) · last flag (1 byte)`` and the header as associated data
(the STREAM construction of Hoang, Reyhanitabar, Rogaway and Vizár: chunks cannot be
reordered, dropped or cut off at the end without the tag failing). Written here because
``cryptography`` offers one-shot AEADs only; each chunk is one such call.

A stored object without the ``ZSBF`` header is a file written before encryption at rest:
``open_chunks`` passes it through unchanged, and the key rotation seals it.
"""

from __future__ import annotations

import os
import struct
from collections.abc import AsyncIterator, Iterator

from app.security import pii

MAGIC = b"ZSBF"
VERSION = 1
CHUNK = 64 * 1024
TAG = 16
_SEALED_CHUNK = CHUNK + TAG


class SealedFileError(ValueError):
    pass


def header_for(kid: str) -> bytes:
    raw = kid.encode()
    return MAGIC + bytes([VERSION, len(raw)]) + raw + os.urandom(7)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">I", index) + (b"\x01" if last else b"\x00")


def seal_chunks(data: bytes | memoryview, *, kid: str | None = None) -> Iterator[bytes]:
    """The sealed form of ``data``, piece by piece (header first)."""
    ring = pii.keyring()
    kid = kid or ring.current
    header = header_for(kid)
    prefix = header[-7:]
    aead = ring.keys[kid]
    yield header
    view = memoryview(data)
    count = max(1, -(-len(view) // CHUNK))
    for index in range(count):
        piece = view[index * CHUNK:(index + 1) * CHUNK]
        yield aead.encrypt(_nonce(prefix, index, index == count - 1), bytes(piece), header)


def key_id_of(head: bytes) -> str | None:
    """The key id a stored object is sealed under, from its first bytes (None: not sealed)."""
    if not head.startswith(MAGIC) or len(head) < 6:
        return None
    size = head[5]
    return head[6:6 + size].decode()


async def open_chunks(source: AsyncIterator[bytes], *, ring: pii.Keyring | None = None
                      ) -> AsyncIterator[bytes]:
    """The plain bytes of a stored object given as a stream of arbitrary pieces."""
    buf = bytearray()
    header: bytes | None = None
    aead = None
    prefix = b""
    index = 0
    plain_legacy = False
    async for piece in source:
        if plain_legacy:
            yield piece
            continue
        buf += piece
        if header is None:
            if len(buf) < 6 and buf == MAGIC[:len(buf)]:
                continue
            if not buf.startswith(MAGIC):
                plain_legacy = True
                yield bytes(buf)
                buf.clear()
                continue
            size = 6 + buf[5] + 7
            if len(buf) < size:
                continue
            header = bytes(buf[:size])
            kid = key_id_of(header) or ""
            try:
                aead = (ring or pii.keyring()).keys[kid]
            except KeyError as exc:
                raise SealedFileError(f"no key {kid!r} to open this file") from exc
            prefix = header[-7:]
            del buf[:size]
        while len(buf) > _SEALED_CHUNK:  # more follows: this chunk is not the last
            yield _open(aead, prefix, index, False, bytes(buf[:_SEALED_CHUNK]), header)
            del buf[:_SEALED_CHUNK]
            index += 1
    if plain_legacy:
        return
    if header is None:
        if buf:  # shorter than a header: a tiny file written before encryption at rest
            yield bytes(buf)
        return
    yield _open(aead, prefix, index, True, bytes(buf), header)


def _open(aead: object, prefix: bytes, index: int, last: bool, sealed: bytes,
          header: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag

    try:
        return aead.decrypt(_nonce(prefix, index, last), sealed, header)  # type: ignore[attr-defined]
    except InvalidTag as exc:
        raise SealedFileError("stored file damaged or cut short") from exc


async def seal_stream(source: AsyncIterator[bytes], *, ring: pii.Keyring | None = None
                      ) -> AsyncIterator[bytes]:
    """``seal_chunks`` for a stream (under ``ring.current``): one chunk is held back to know
    which one is last."""
    ring = ring or pii.keyring()
    kid = ring.current
    header = header_for(kid)
    prefix = header[-7:]
    aead = ring.keys[kid]
    yield header
    buf = bytearray()
    index = 0
    async for piece in source:
        buf += piece
        while len(buf) > CHUNK:
            yield aead.encrypt(_nonce(prefix, index, False), bytes(buf[:CHUNK]), header)
            del buf[:CHUNK]
            index += 1
    yield aead.encrypt(_nonce(prefix, index, True), bytes(buf), header)
