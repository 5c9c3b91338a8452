"""Run every simulator on fixed loopback ports and print the settings that point at them.

``python -m sandbox [--base-port 9100] [--env-file var/sandbox.env]``
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib
from pathlib import Path

from sandbox import SIMULATORS
from sandbox.runner import start


async def run(base_port: int, env_file: str | None, server_url: str) -> None:
    running = []
    lines = []
    for offset, name in enumerate(SIMULATORS):
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        sim = await start(module.create_app(), port=base_port + offset)
        sim.app["zsb_base_url"] = server_url
        running.append(sim)
        for key, value in module.zsb_settings(sim.base_url).items():
            lines.append(f"ZSB_{key.upper()}={value}")
        print(f"{name:20s} {sim.base_url}", flush=True)
    if env_file:
        Path(env_file).parent.mkdir(parents=True, exist_ok=True)
        Path(env_file).write_text("\n".join(lines) + "\n")  # noqa: ASYNC240 - once at start
    try:
        await asyncio.Event().wait()
    finally:
        for sim in running:
            await sim.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m sandbox")
    parser.add_argument("--base-port", type=int, default=9100)
    parser.add_argument("--env-file")
    parser.add_argument("--server-url", default="http://127.0.0.1:8000")
    args = parser.parse_args()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(run(args.base_port, args.env_file, args.server_url))


if __name__ == "__main__":
    main()
