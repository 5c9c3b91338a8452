"""Pieces without a server: the A–D scale and its migration from 1–3, the holder's notice,
codes, masks and the seal keyring's rotation."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from app.catalogue.schemas import Material, TrustLevel
from app.certificates import codes, keys
from app.certificates.holders import mask_company
from app.crypto import sm2
from app.licences.trust import minimum
from push.templates import render


def test_trust_levels_and_the_old_scale() -> None:
    assert [Material(code="M1", name="x", min_trust_level=n).min_trust_level
            for n in (1, 2, 3)] == [TrustLevel.D, TrustLevel.C, TrustLevel.B]
    assert Material(code="M1", name="x", min_trust_level="A").min_trust_level is TrustLevel.A
    assert Material(code="M1", name="x").min_trust_level is TrustLevel.D
    for bad in (0, 4, "E", True):
        with pytest.raises(ValidationError):
            Material(code="M1", name="x", min_trust_level=bad)
    assert [minimum({"min_trust_level": v}) for v in (2, "A", None, "zz")] == [
        TrustLevel.C, TrustLevel.A, TrustLevel.D, TrustLevel.D]


def test_the_holder_is_told_of_a_verification() -> None:
    msg = render("certificate.verified", {"certificate_id": 7, "title": "无犯罪记录证明",
                                          "number": "GA-1-01", "at_text": "2026年12月04日 10:30"})
    assert "于2026年12月04日 10:30被查验" in msg.body and msg.link == "/certificates/7"
    assert render("certificate.revoked", {"certificate_id": 7}).priority == "critical"


def test_codes_are_long_random_and_forgiving_to_type() -> None:
    made = {codes.new_code() for _ in range(200)}
    assert len(made) == 200 and all(len(c) == 20 for c in made)
    code = made.pop()
    assert codes.normalise(codes.grouped(code).lower()) == code
    assert codes.normalise("0O1IL" + code[5:]) == "00111" + code[5:]
    assert codes.normalise("short") is None and codes.normalise("U" * 20) is None
    assert mask_company("示范市示范科技有限公司") == "示范*****有限公司"


def test_rotation_keeps_old_keys_verifying(tmp_path) -> None:
    old, new = sm2.generate(), sm2.generate()
    retired = tmp_path / "ga-1.pub.pem"
    retired.write_bytes(sm2.public_pem(old.public_key()))
    ring = keys.parse(f"GA:ga-2:hex:{new.private_numbers().private_value:064x},"
                      f"GA:ga-1:{retired},*:all-1:hex:{'7' * 64}")
    assert ring.signing_key("GA").key_id == "ga-2"
    assert ring.signing_key("RS").key_id == "all-1"
    signature = sm2.sign(old, b"old certificate")
    public = ring.public("ga-1")
    assert public is not None and sm2.verify(public, b"old certificate", signature)
    assert ring.public("nope") is None
    for bad in ("GA:ga-1", "GA::hex:01", f"GA:a:hex:{'1' * 64},RS:a:hex:{'2' * 64}"):
        with pytest.raises(ValueError):
            keys.parse(bad)
