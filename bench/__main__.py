"""``python -m bench`` (``make bench``): run every ``bench/bench_*.py`` in turn, each in its own
process, passing the arguments on (e.g. ``--backend sqlite``)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).resolve().parent
    failed = 0
    for script in sorted(here.glob("bench_*.py")):
        print(f"\n=== {script.stem} ===", flush=True)
        code = subprocess.call(
            [sys.executable, "-m", f"bench.{script.stem}", *argv], cwd=here.parent
        )
        failed += code != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
