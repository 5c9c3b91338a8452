"""The baseline every benchmark compares with: a plain Sanic JSON hello-world, run the same
way as our server (one worker, no access log)."""

from __future__ import annotations

import argparse

from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

app = Sanic("baseline", configure_logging=False)


@app.get("/")
async def hello(request: Request) -> HTTPResponse:
    return json({"hello": "world"})


@app.get("/healthz")
async def healthz(request: Request) -> HTTPResponse:
    return json({"status": "ok"})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    app.run(
        host="127.0.0.1",
        port=args.port,
        workers=args.workers,
        access_log=False,
        motd=False,
        single_process=args.workers == 1,
    )
