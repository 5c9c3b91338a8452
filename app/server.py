"""``python -m app serve``: run the API with Sanic's worker manager."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sanic import Sanic
from sanic.worker.loader import AppLoader
from sanic.worker.manager import WorkerManager

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


CHILD_ENV = "ZSB_SERVE_CHILD"


def main(argv: list[str]) -> int:
    """The server runs in a child process group of its own, watched by this process: a stop
    signal is passed on to Sanic's main process for its graceful stop, and whatever of that
    group is still alive at the end of the grace period (or after Sanic's main process ended,
    its workers or multiprocessing's resource tracker included) is killed. Sanic's worker
    manager was seen to stay alive after "Server Stopped" in about 4 of 10 stops."""
    if os.environ.get(CHILD_ENV) == "1":
        return serve(argv)
    return supervise(argv, get_settings().shutdown_grace_seconds)


def supervise(argv: list[str], grace: float) -> int:
    env = {**os.environ, CHILD_ENV: "1"}
    stop_at: list[float] = []
    children: list[subprocess.Popen[bytes]] = []

    def on_signal(signum: int, frame: object) -> None:
        if not stop_at:
            stop_at.append(time.monotonic() + grace)
        for child in children:
            with contextlib.suppress(ProcessLookupError):
                child.send_signal(signal.SIGTERM)

    # before the child exists, so that a stop during start-up is never lost
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(signum, on_signal)
    child = subprocess.Popen(  # noqa: S603 - this very command, in a group of its own
        [sys.executable, "-m", "app", "serve", *argv], env=env, start_new_session=True
    )
    children.append(child)
    if stop_at:
        child.send_signal(signal.SIGTERM)
    code: int | None = None
    while code is None:
        try:
            code = child.wait(timeout=0.1)
        except subprocess.TimeoutExpired:
            if stop_at and time.monotonic() >= stop_at[0] - 0.5:
                log.warning("the server did not stop within %ss: killed", grace)
                break
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(child.pid, signal.SIGKILL)  # the group: workers, the resource tracker …
    with contextlib.suppress(subprocess.TimeoutExpired):
        child.wait(timeout=2)
    return 0 if stop_at else (code if code is not None else 1)


def serve(argv: list[str]) -> int:
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
    # Sanic gives a worker 30 s to come online; importing the app took longer than that on a
    # loaded 2-core machine (six test runs at once), and Sanic then gives up the whole start
    WorkerManager.THRESHOLD = max(WorkerManager.THRESHOLD, 10 * 120)  # tenths of a second
    loader = AppLoader(factory=_factory)
    app = loader.load()
    app.prepare(
        host=args.host,
        port=args.port,
        workers=args.workers,
        dev=args.dev,
        access_log=False,  # the access line is ours (app/middleware.py), with the request id
        motd=False,
    )
    Sanic.serve(primary=app, app_loader=loader)
    return 0
