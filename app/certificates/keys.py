"""The departments' seal keys, from ``ZSB_SEAL_KEYS`` (never from the database).

Each entry is ``DEPT:KEY_ID:SOURCE``. A department signs with the first private key listed for
it (or for ``*``); every listed key, private or public-only, verifies. Rotating is adding a new
key in front and keeping the old one (its public half is enough), so certificates signed before
stay verifiable. The public halves are published at ``/api/v1/certificates/keys`` for offline
verifiers.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from app.crypto import sm2
from app.settings import get_settings

ANY_DEPARTMENT = "*"


@dataclass(frozen=True)
class SealKey:
    key_id: str
    department: str  # department code, or "*"
    public: sm2.PublicKey
    private: sm2.PrivateKey | None = None

    def published(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id, "department": self.department, "algorithm": "SM2-SM3",
            "curve": "sm2p256v1", "user_id": sm2.DEFAULT_USER_ID.decode(),
            "public_key": "04" + sm2.public_xy(self.public).hex(),
            "pem": sm2.public_pem(self.public).decode(),
            "signs": self.private is not None,
        }


class NoSealKey(LookupError):
    pass


@dataclass(frozen=True)
class Keyring:
    keys: tuple[SealKey, ...]

    def signing_key(self, department: str) -> SealKey:
        for wanted in (department, ANY_DEPARTMENT):
            for key in self.keys:
                if key.department == wanted and key.private is not None:
                    return key
        raise NoSealKey(f"no seal key for department {department}")

    def list_key(self) -> SealKey:
        """The key that signs the revocation list: the first private key listed."""
        for key in self.keys:
            if key.private is not None:
                return key
        raise NoSealKey("no private seal key configured")

    def public(self, key_id: str) -> sm2.PublicKey | None:
        for key in self.keys:
            if key.key_id == key_id:
                return key.public
        return None


def parse(spec: str) -> Keyring:
    keys: list[SealKey] = []
    seen: set[str] = set()
    for entry in filter(None, (e.strip() for e in spec.split(","))):
        department, key_id, source = [*entry.split(":", 2), "", ""][:3]
        if not department or not key_id or not source or key_id in seen:
            raise ValueError("each ZSB_SEAL_KEYS entry is DEPT:KEY_ID:SOURCE, key ids unique")
        seen.add(key_id)
        keys.append(_load(department, key_id, source))
    return Keyring(tuple(keys))


def _load(department: str, key_id: str, source: str) -> SealKey:
    if source.startswith("hex:"):
        private = sm2.private_from_scalar(int(source[4:], 16))
        return SealKey(key_id, department, private.public_key(), private)
    pem = Path(source).read_bytes()
    if b"PRIVATE KEY" in pem:
        private = sm2.load_private_pem(pem)
        return SealKey(key_id, department, private.public_key(), private)
    return SealKey(key_id, department, sm2.load_public_pem(pem))


@lru_cache(maxsize=4)
def _cached(spec: str) -> Keyring:
    return parse(spec)


def keyring() -> Keyring:
    return _cached(get_settings().seal_keys)
