"""Start simulators on loopback ports, for tests and for the local demo.

Every simulator is an ``aiohttp.web.Application`` built by a ``create_app(...)`` function in its
own module of ``sandbox/``. ``start()`` serves one on 127.0.0.1 with a free port and answers a
handle with its base URL; ``handle.app`` is the simulator's state (keys, fault switches, the
requests it received) for a test to inspect.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass

from aiohttp import web


@dataclass
class RunningSimulator:
    app: web.Application
    runner: web.AppRunner
    base_url: str
    port: int

    async def stop(self) -> None:
        await self.runner.cleanup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def start(app: web.Application, port: int = 0) -> RunningSimulator:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    port = port or free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    return RunningSimulator(app=app, runner=runner, base_url=f"http://127.0.0.1:{port}", port=port)
