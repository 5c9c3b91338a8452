"""Verification codes and certificate numbers.

A verification code is 20 characters of Crockford's base32 (100 random bits from ``secrets``):
nobody guesses one, and ``/verify`` is rate-limited per IP on top. People may type it in
groups of four with dashes and in either case; ``normalise`` undoes both.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford: no I, L, O, U
LENGTH = 20
_CODE = re.compile(f"^[{ALPHABET}]{{{LENGTH}}}$")
_LOOKALIKES = str.maketrans("ILO", "110")  # read as Crockford does


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(raw: str) -> str | None:
    """The code in canonical form, or None when it cannot be one of ours."""
    text = raw.strip().upper().replace("-", "").replace(" ", "")
    text = text.translate(_LOOKALIKES)
    return text if _CODE.match(text) else None


def grouped(code: str) -> str:
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
