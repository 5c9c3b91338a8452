"""Sealed files (``app.security.sealed_files``): a stream in, a stream out, any piece sizes;
cut, reordered or tampered files refuse to open; files stored before sealing pass through."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest

from app.security import sealed_files
from app.security.sealed_files import CHUNK, SealedFileError


async def _pieces(data: bytes, size: int) -> AsyncIterator[bytes]:
    for i in range(0, len(data), size):
        yield data[i:i + size]


async def _open(data: bytes, size: int = 1000) -> bytes:
    return b"".join([p async for p in sealed_files.open_chunks(_pieces(data, size))])


@pytest.mark.parametrize("length", [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK])
async def test_round_trip_in_any_pieces(settings, length: int) -> None:
    plain = os.urandom(length)
    sealed = b"".join(sealed_files.seal_chunks(plain))
    assert plain[:64] not in sealed or length < 64
    for size in (7, 4096, CHUNK + 16, 10 * CHUNK):
        assert await _open(sealed, size) == plain


async def test_cut_or_tampered_files_do_not_open(settings) -> None:
    sealed = b"".join(sealed_files.seal_chunks(os.urandom(2 * CHUNK + 5)))
    with pytest.raises(SealedFileError):
        await _open(sealed[: -(5 + 16)])  # the last chunk dropped
    with pytest.raises(SealedFileError):
        await _open(sealed[:-1])
    damaged = bytearray(sealed)
    damaged[len(damaged) // 2] ^= 1
    with pytest.raises(SealedFileError):
        await _open(bytes(damaged))


async def test_files_stored_before_sealing_pass_through(settings) -> None:
    legacy = b"%PDF-1.4 stored in clear by an older version" * 100
    assert await _open(legacy, 3) == legacy
    assert await _open(b"%P") == b"%P"
