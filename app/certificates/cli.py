"""``python -m app verify-certificate <pdf-or-qr-text> [--keys FILE] [--revocations FILE]``

Checks a certificate with no network and no database: a sealed PDF (its seal over the signed
content and the bytes) or the text of its QR code (the URL or just the payload). The public
keys come from ``--keys`` (the JSON of ``GET /api/v1/certificates/keys``) or, without it, from
this installation's ``ZSB_SEAL_KEYS``; ``--revocations`` takes the JSON of
``GET /api/v1/certificates/revocations`` (its signature is checked too).

Exit code 0 when genuine, 1 otherwise (the status is printed either way).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app import clock
from app.certificates import keys, revoke, seal
from app.crypto import sm2

LABELS = {
    seal.OfflineStatus.genuine: "真实有效 (genuine)",
    seal.OfflineStatus.expired: "已过期 (expired)",
    seal.OfflineStatus.revoked: "已撤销或已换发 (revoked / superseded)",
    seal.OfflineStatus.forged: "签名不符：伪造或被篡改 (forged / tampered)",
    seal.OfflineStatus.unknown_key: "签名密钥未知 (unknown key)",
    seal.OfflineStatus.malformed: "不是本系统的证明 (malformed)",
}


def lookup_from_file(path: str) -> seal.PublicLookup:
    published = json.loads(Path(path).read_text(encoding="utf-8"))
    found = {k["key_id"]: sm2.public_from_xy(bytes.fromhex(k["public_key"]))
             for k in published.get("keys", [])}
    return found.get


def check(target: str, lookup: seal.PublicLookup,
          revoked: frozenset[str] = frozenset()) -> seal.OfflineResult:
    today = clock.local(clock.now()).date()
    path = Path(target)
    if len(target) < 4096 and path.is_file():
        return seal.check_pdf(path.read_bytes(), lookup, today=today, revoked_hashes=revoked)
    return seal.check_payload(target, lookup, today=today, revoked_hashes=revoked)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app verify-certificate")
    parser.add_argument("target", help="a sealed PDF file, or the text of its QR code")
    parser.add_argument("--keys", help="published seal keys (JSON); default: ZSB_SEAL_KEYS")
    parser.add_argument("--revocations", help="a downloaded revocation list (JSON)")
    args = parser.parse_args(argv)
    lookup = lookup_from_file(args.keys) if args.keys else keys.keyring().public
    revoked: frozenset[str] = frozenset()
    if args.revocations:
        listed = revoke.list_hashes(json.loads(Path(args.revocations).read_text("utf-8")),
                                    lookup)
        if listed is None:
            print("revocation list: signature does not hold; ignored", file=sys.stderr)
        else:
            revoked = listed
    result = check(args.target, lookup, revoked)
    print(LABELS[result.status])
    details: dict[str, Any] = {}
    if result.claim is not None:
        c = result.claim
        details = {"code": c.code, "type": c.type_code, "holder": c.holder,
                   "issued": c.issued.isoformat(),
                   "valid_until": c.valid_until.isoformat() if c.valid_until else None,
                   "key_id": c.key_id}
    elif result.content is not None:
        signed = result.content
        holder = signed.get("holder")
        details = {"number": signed.get("number"), "title": signed.get("title"),
                   "holder": holder.get("masked") if isinstance(holder, dict) else None,
                   "issued": signed.get("issued_at"), "valid_until": signed.get("valid_until")}
    for key, value in details.items():
        print(f"  {key}: {value}")
    return 0 if result.status is seal.OfflineStatus.genuine else 1
