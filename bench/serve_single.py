"""Our server in one process, the way the baselines run (``single_process``: no worker manager,
so no 30-second start-up acknowledgement that a loaded machine can miss), optionally under
pyinstrument. ``bench_cases`` starts it through ``BENCH_ZSB_SERVE`` semantics:

    python bench/serve_single.py --host 127.0.0.1 --port 8000 [--workers 1]
    BENCH_PROFILE=/tmp/case-read.html python bench/serve_single.py …   # a profile at exit

With ``BENCH_PROFILE`` the report (HTML, or text for another suffix) is written when the
server stops (SIGTERM from ``bench.common.Server.stop``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from app import create_app  # the bench runs it with PYTHONPATH at the repository
from app.settings import get_settings


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)  # accepted; always one process
    args = parser.parse_args()
    app = create_app()
    target = os.environ.get("BENCH_PROFILE")
    if target:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005, async_mode="disabled")

        @app.after_server_start
        async def _start(_: object) -> None:
            profiler.start()

        @app.before_server_stop
        async def _stop(_: object) -> None:
            profiler.stop()
            out = profiler.output_html() if target.endswith(".html") else profiler.output_text(
                unicode=True, show_all=False)
            Path(target).write_text(out)  # noqa: ASYNC240 - once, as the server stops

    app.run(host=args.host, port=args.port, workers=1, single_process=True, motd=False,
            access_log=get_settings().access_log)


if __name__ == "__main__":
    main()
