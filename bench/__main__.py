"""Run every benchmark in turn: ``python -m bench`` (or ``make bench``).

``python -m bench api wechat_callback`` runs only those. Each prints its own figures; none
fails on a slow machine.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    available = sorted(p.stem.removeprefix("bench_") for p in HERE.glob("bench_*.py"))
    chosen = argv or available
    unknown = [name for name in chosen if name not in available]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; available: {available}", file=sys.stderr)
        return 2
    status = 0
    for name in chosen:
        print(f"\n=== bench_{name} ===", flush=True)
        result = subprocess.run([sys.executable, "-m", f"bench.bench_{name}"], check=False)
        status = status or result.returncode
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
