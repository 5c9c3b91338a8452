"""Offline verification: the QR payload and the sealed PDF checked with the published keys
only (``python -m app verify-certificate``), and every way of getting them wrong."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from app import clock
from app.certificates import content, seal
from app.certificates.cli import lookup_from_file
from app.crypto import sm2
from tests.certificates.conftest import issued, verified

S = seal.OfflineStatus


async def _published(api: Any, tmp_path: Path) -> tuple[seal.PublicLookup, Path]:
    r = await api.get("/api/v1/certificates/keys")
    assert r.status_code == 200 and r.json()["keys"]
    path = tmp_path / "keys.json"
    path.write_text(r.text, encoding="utf-8")
    return lookup_from_file(str(path)), path


async def _cli(*args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "app", "verify-certificate", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=60)
    return int(proc.returncode or 0), out.decode()


def _today() -> Any:
    return clock.local(clock.now()).date()


async def test_qr_payloads_good_and_bad(api: Any, citizen: Any, sims: Any,
                                        team: dict[str, Any], tmp_path: Path) -> None:
    me = await verified(api, citizen, sims)
    cert = await issued(api, me, team)
    lookup, _ = await _published(api, tmp_path)
    text = cert["qr_text"]
    good = seal.check_payload(text, lookup, today=_today())
    assert good.status is S.genuine and good.claim is not None
    assert good.claim.code == cert["code"] and good.claim.holder == cert["holder"]
    payload = text.rsplit("#", 1)[1]
    assert seal.check_payload(payload, lookup, today=_today()).status is S.genuine

    body, claim, signature = content.split_payload(text)
    # tampered: another holder under the same signature
    other = content.payload_body(content.OfflineClaim(
        claim.code, claim.type_code, "冒*名", claim.issued, claim.valid_until, claim.key_id))
    assert seal.check_payload(f"{other}.{content.b64e(signature)}", lookup,
                              today=_today()).status is S.forged
    # truncated: in the body, in the signature, the signature gone
    assert seal.check_payload(payload[:40], lookup, today=_today()).status is S.malformed
    assert seal.check_payload(payload[:-4], lookup, today=_today()).status is S.forged
    assert seal.check_payload(payload[:-5], lookup, today=_today()).status is S.malformed
    assert seal.check_payload(body, lookup, today=_today()).status is S.malformed
    # forged from scratch / re-signed by someone else's key, under our key id and under theirs
    rogue = sm2.generate()
    resigned = sm2.sign(rogue, content.payload_message(other))
    assert seal.check_payload(f"{other}.{content.b64e(resigned)}", lookup,
                              today=_today()).status is S.forged
    theirs = content.payload_body(content.OfflineClaim(
        claim.code, claim.type_code, claim.holder, claim.issued, claim.valid_until, "rogue-1"))
    signed = content.b64e(sm2.sign(rogue, content.payload_message(theirs)))
    assert seal.check_payload(f"{theirs}.{signed}", lookup,
                              today=_today()).status is S.unknown_key
    # garbage of every shape
    for junk in ("", "....", "x" * 5000, "Zm9v.YmFy", "%%%.%%%", "http://e.x/verify/A#B"):
        assert seal.check_payload(junk, lookup, today=_today()).status is S.malformed
    # expired: the day after its validity
    assert claim.valid_until is not None
    later = claim.valid_until.toordinal() + 1
    assert seal.check_payload(text, lookup, today=type(claim.valid_until).fromordinal(
        later)).status is S.expired


async def test_sealed_pdf_and_the_command_line(api: Any, citizen: Any, sims: Any,
                                               team: dict[str, Any], tmp_path: Path) -> None:
    me = await verified(api, citizen, sims)
    cert = await issued(api, me, team)
    lookup, keys_file = await _published(api, tmp_path)
    r = await api.get(f"/api/v1/certificates/{cert['id']}/pdf", headers=me.headers)
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    pdf = r.content
    assert pdf.startswith(b"%PDF-") and sm2.sm3(content.open_pdf(pdf).body).hex() == cert[
        "pdf_sm3"]
    assert seal.check_pdf(pdf, lookup, today=_today()).status is S.genuine
    # one byte changed anywhere in the body, the seal cut off, the signed content edited
    changed = bytearray(pdf)
    changed[len(pdf) // 3] ^= 0x01
    assert seal.check_pdf(bytes(changed), lookup, today=_today()).status is S.forged
    at = pdf.rfind(content.TRAILER)
    assert seal.check_pdf(pdf[:at], lookup, today=_today()).status is S.malformed
    sealed = content.open_pdf(pdf)
    edited = sealed.content_json.replace(b'"purpose"', b'"purpose"').replace(
        "就业".encode(), "入学".encode())
    forged = content.seal_pdf(sealed.body, sealed.key_id, edited, sealed.signature)
    assert seal.check_pdf(forged, lookup, today=_today()).status is S.forged

    good_file, bad_file = tmp_path / "good.pdf", tmp_path / "bad.pdf"
    good_file.write_bytes(pdf)
    bad_file.write_bytes(bytes(changed))
    for target, code in ((str(good_file), 0), (str(bad_file), 1), (cert["qr_text"], 0),
                         (cert["qr_text"][:-3], 1)):
        returned, out = await _cli(target, "--keys", str(keys_file))
        assert returned == code, out
        assert ("genuine" in out) == (code == 0)


async def test_revocation_list_is_signed_and_names_codes_by_hash(
        api: Any, citizen: Any, sims: Any, team: dict[str, Any], tmp_path: Path) -> None:
    me = await verified(api, citizen, sims)
    cert = await issued(api, me, team)
    r = await api.post(f"/api/v1/staff/certificates/{cert['id']}/revoke",
                       json={"reason": "issued_in_error", "note": "用途填写错误"},
                       headers=team["reviewer"].headers)
    assert r.status_code == 200, r.text
    lookup, keys_file = await _published(api, tmp_path)
    listed = (await api.get("/api/v1/certificates/revocations")).json()
    assert cert["code"] not in json.dumps(listed)
    from app.certificates.revoke import list_hashes

    hashes = list_hashes(listed, lookup)
    assert hashes is not None and seal.code_hash(cert["code"]) in hashes
    assert seal.check_payload(cert["qr_text"], lookup, today=_today(),
                              revoked_hashes=hashes).status is S.revoked
    listed["entries"] = []
    assert list_hashes(listed, lookup) is None  # a list with entries dropped no longer holds
    crl = tmp_path / "crl.json"
    crl.write_text((await api.get("/api/v1/certificates/revocations")).text, "utf-8")
    returned, out = await _cli(cert["qr_text"], "--keys", str(keys_file), "--revocations",
                               str(crl))
    assert returned == 1 and "revoked" in out
