"""``python -m app serve``: run the API with Sanic's worker manager."""

from __future__ import annotations

import argparse
import atexit
import json
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

from sanic import Sanic
from sanic.worker.loader import AppLoader

from app.links import h5_base
from app.settings import Settings, get_settings, reset_settings_cache

log = logging.getLogger("zsb.server")


def check_topology(settings: Settings, workers: int) -> str | None:
    """The embedded store and database serve one process only."""
    if workers > 1 and not settings.redis_url:
        return "several workers need ZSB_REDIS_URL: the in-process store is per process"
    if workers > 1 and settings.is_sqlite:
        return "several workers need PostgreSQL (ZSB_DATABASE_URL): SQLite serves one process"
    return None


def _factory() -> Sanic:
    from app import create_app

    return create_app()


def start_sandbox(server_url: str, env_file: str = "var/sandbox.env") -> subprocess.Popen[bytes]:
    """Run the platform simulators beside the demo and point every unset platform setting at
    them (a real deployment sets ``ZSB_*`` for the real platforms and does not pass
    ``--sandbox``)."""
    path = Path(env_file)
    path.unlink(missing_ok=True)
    proc = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [sys.executable, "-m", "sandbox", "--env-file", env_file, "--server-url", server_url]
    )
    atexit.register(proc.terminate)
    deadline = time.monotonic() + 15
    while not path.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit("the sandbox simulators did not start")
        time.sleep(0.1)
    for line in path.read_text().splitlines():
        key, _, value = line.partition("=")
        os.environ.setdefault(key, value)
    reset_settings_cache()
    return proc


DEMO_PHONE = "13800138000"


def demo_banner(settings: Settings) -> str:
    """What ``make run`` tells a new user: where the pages are and how to log in."""
    sms = settings.sms_api_base.rstrip("/")
    base = settings.public_base_url.rstrip("/")
    return (
        "\n掌上办 demo (simulators instead of real platforms):\n"
        f"  citizen H5, best at phone size:  {h5_base(settings)}/\n"
        f"  demo phone {DEMO_PHONE}; its SMS code appears at "
        f"{sms}/_sim/messages?phone={DEMO_PHONE}\n"
        f"  staff console {base}/console/   API docs {base}/docs\n"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app serve")
    parser.add_argument("--host")
    parser.add_argument("--port", type=int)
    parser.add_argument("--workers", type=int)
    parser.add_argument("--dev", action="store_true", help="auto-reload and debug")
    parser.add_argument(
        "--sandbox", action="store_true", help="run the platform simulators for a local demo"
    )
    args = parser.parse_args(argv)
    settings = get_settings()
    args.host = args.host or settings.host
    args.port = args.port or settings.port
    args.workers = args.workers or settings.workers
    if args.sandbox:
        if settings.env == "production":
            print("refusing to start: --sandbox is for development only", file=sys.stderr)
            return 2
        start_sandbox(f"http://{args.host}:{args.port}")
        settings = get_settings()
        print(demo_banner(settings), flush=True)
    problem = check_topology(settings, args.workers)
    if problem:
        print(f"refusing to start: {problem}", file=sys.stderr)
        return 2
    print(
        json.dumps({"event": "settings", **settings.masked()}, ensure_ascii=False, default=str),
        file=sys.stderr,
    )
    loader = AppLoader(factory=_factory)
    app = loader.load()
    app.prepare(
        host=args.host,
        port=args.port,
        workers=args.workers,
        dev=args.dev,
        access_log=settings.access_log,
        motd=False,
    )
    Sanic.serve(primary=app, app_loader=loader)
    return 0
