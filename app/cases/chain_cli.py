"""``python -m app audit-chains [--case ID] [--seal-legacy] [--json]``: verify every case's
timeline chain (``app/cases/chain_audit.py``) with a progress bar on stderr; exit code 1 when a
chain is broken. ``--seal-legacy`` seals the unkeyed prefixes written before the chain was keyed
(run once after upgrading)."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

from tqdm import tqdm

from app.cases import chain_audit


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app audit-chains")
    parser.add_argument("--case", type=int, help="audit one case (its id)")
    parser.add_argument("--seal-legacy", action="store_true",
                        help="seal unkeyed chains that hold as plain SM3 (once, after upgrading)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)

    async def go() -> dict[str, object]:
        from app.context import opened

        async with opened():
            if args.case is not None:
                verdict = await chain_audit.audit_case(args.case, seal_legacy=args.seal_legacy)
                if verdict is None:
                    return {"cases": 0, "broken": 0, "findings": [], "missing": args.case}
                return {"cases": 1, "broken": int(not verdict.as_dict()["intact"]),
                        "findings": [verdict.as_dict()] if verdict.broken_seq else []}
            with tqdm(desc="case chains", unit="case", file=sys.stderr) as bar:
                def progress(done: int, total: int) -> None:
                    bar.total = total
                    bar.update(done - bar.n)

                found = await chain_audit.audit_all(seal_legacy=args.seal_legacy,
                                                    progress=progress)
            return found.as_dict()

    out = asyncio.run(go())
    if args.json:
        print(json.dumps(out, ensure_ascii=False))
    else:
        print(f"{out['cases']} cases audited, {out.get('events', '-')} events, "
              f"{out['broken']} broken, {out.get('sealed', 0)} legacy chains sealed")
        for f in out["findings"]:  # type: ignore[attr-defined]
            print(f"  case {f['case_id']}: {f['finding']} at seq {f['broken_seq']}")
    return 1 if out["broken"] or out.get("missing") else 0
