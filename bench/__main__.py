"""``python -m bench`` (``make bench``): run every ``bench/bench_*.py`` in turn, each in its own
process, passing the arguments on (e.g. ``--backend sqlite``), then print one table of every
scenario they reported (``bench.common.summarize``) with both baselines.

Each script measures its own B0 (hello-world) beside its scenarios, so a CPU-bound scenario is
a ratio to the B0 of its own script; B1 (one raw asyncpg primary-key read) is measured by
``bench_cases``, and a database-bound figure of another script without a B1 of its own is a
ratio to that one, of the same ``make bench`` run."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    failed = 0
    with tempfile.NamedTemporaryFile("w+", suffix=".jsonl", delete=False) as summary:
        path = summary.name
    env = {**os.environ, "BENCH_SUMMARY": path}
    try:
        for script in sorted(here.glob("bench_*.py")):
            print(f"\n=== {script.stem} ===", flush=True)
            code = subprocess.call(
                [sys.executable, "-m", f"bench.{script.stem}", *argv], cwd=here.parent, env=env
            )
            failed += code != 0
        print_summary([json.loads(line) for line in Path(path).read_text().splitlines()
                       if line.strip()])
    finally:
        os.unlink(path)
    return 1 if failed else 0


def print_summary(rows: list[dict[str, Any]]) -> None:
    b1 = next((r for r in rows if r["scenario"].startswith("B1")), None)
    b0 = next((r for r in rows if r["scenario"].startswith("B0")), None)
    print("\n=== summary: every scenario, ratios to the baselines of this run ===")
    if b0:
        print(f"B0 hello-world (bench_cases): {b0['value']:,.0f} req/s; B1 asyncpg primary-key "
              f"read: {b1['value']:,.0f} req/s" if b1 else "B1: not measured")
    print(f"\n{'source':22s} {'scenario':36s} {'value':>10s} {'unit':7s} {'ratio':>6s} "
          f"{'of':9s} {'target':>7s} {'p99 ms':>7s}")
    for r in rows:
        ref = r["ref"]
        if ref is None and r["base"] == "B1" and b1:  # B1 of bench_cases, this same run
            ref = b1["value"]
        ratio = f"{r['value'] / ref:6.2f}" if ref else "     -"
        target = f"≥{r['target']:.2f}" if r.get("target") is not None else ""
        verdict = ""
        if r.get("target") is not None and ref:
            verdict = "ok" if r["value"] / ref >= r["target"] else "MISS"
        p99 = f"{r['p99_ms']:7.1f}" if r.get("p99_ms") is not None else ""
        print(f"{r['source']:22s} {r['scenario'][:36]:36s} {r['value']:10,.1f} {r['unit']:7s} "
              f"{ratio} {r['base']:9s} {target:>7s} {p99:>7s} {verdict}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
