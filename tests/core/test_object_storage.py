"""The S3-compatible store (``ZSB_STORAGE=s3``) against moto's server mode, started here on a
free port: sealed materials and documents written and read back through the one interface,
never a plain byte in the bucket."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

from app import storage
from app.security import sealed_files
from sandbox.runner import free_port


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    server_mod = pytest.importorskip("moto.server")
    port = free_port()
    server = server_mod.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


async def test_sealed_objects_round_trip_through_s3(settings, moto_url: str) -> None:
    s3_settings = settings.model_copy(update={
        "storage": "s3", "s3_endpoint_url": moto_url, "s3_bucket": f"zsb-{uuid.uuid4().hex[:8]}",
        "s3_access_key_id": "test", "s3_secret_access_key": type(settings.jwt_secret)("test"),
    })
    store = storage.store(s3_settings)
    assert isinstance(store, storage.S3Store)
    client = await store._s3()
    await client.create_bucket(Bucket=s3_settings.s3_bucket)
    try:
        plain = b"%PDF-1.7 " + os.urandom(3 * sealed_files.CHUNK + 11)
        key = f"materials/ab/{uuid.uuid4().hex}"
        assert not await store.exists(key)
        await store.put(key, sealed_files.seal_chunks(plain))
        assert await store.exists(key)
        raw = (await client.get_object(Bucket=s3_settings.s3_bucket, Key=key))["Body"]
        async with raw as body:
            stored = await body.read()
        assert stored.startswith(sealed_files.MAGIC) and plain[-64:] not in stored
        opened = b"".join([p async for p in sealed_files.open_chunks(store.get(key))])
        assert opened == plain
        await store.delete(key)
        assert not await store.exists(key)
        with pytest.raises(KeyError):
            _ = [p async for p in store.get(key)]
    finally:
        await store.close()
