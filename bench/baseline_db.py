"""The second baseline (B1): a plain Sanic worker doing one raw asyncpg primary-key read per
request on the same PostgreSQL as our server, with a pool as large as ours (``db_pool_max``)
and no ORM, run the same way (one worker, no access log). Database-bound scenarios are ratios
to it; CPU-bound ones to the hello-world (``bench/baseline.py``, B0).

    python bench/baseline_db.py --port 8100 --dsn postgresql://postgres@127.0.0.1/zsb_bench_1
    GET /row/<id>   one row of case_record by its primary key, as JSON
"""

from __future__ import annotations

import argparse

import asyncpg
from sanic import Request, Sanic
from sanic.response import HTTPResponse, json

app = Sanic("baseline_db", configure_logging=False)
READ = "SELECT id, number, status, event_seq, updated_at FROM case_record WHERE id = $1"


@app.before_server_start
async def _open(app: Sanic) -> None:
    app.ctx.pool = await asyncpg.create_pool(app.config.DSN, min_size=1,
                                             max_size=app.config.POOL_MAX)


@app.after_server_stop
async def _close(app: Sanic) -> None:
    await app.ctx.pool.close()


@app.get("/row/<row_id:int>")
async def row(request: Request, row_id: int) -> HTTPResponse:
    found = await request.app.ctx.pool.fetchrow(READ, row_id)
    if found is None:
        return json({"error": "not found"}, status=404)
    return json({"id": found["id"], "number": found["number"], "status": found["status"],
                 "event_seq": found["event_seq"], "updated_at": found["updated_at"].isoformat()})


@app.get("/healthz")
async def healthz(request: Request) -> HTTPResponse:
    return json({"status": "ok"})


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--pool-max", type=int, default=20)
    args = parser.parse_args()
    app.config.DSN, app.config.POOL_MAX = args.dsn, args.pool_max
    app.run(host="127.0.0.1", port=args.port, workers=1, access_log=False, motd=False,
            single_process=True)
