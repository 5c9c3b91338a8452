"""Data for ``bench/bench_cases.py``, written in a process of its own against the bench database
(the ``ZSB_*`` settings in its environment):

    python -m bench.case_data --history CASE_ID:EVENTS … [--queue 100000 --staff USER]

``--history`` brings a case's timeline to EVENTS events through ``record_step``, the code every
step of a case goes through (a real keyed chain); ``--queue`` generates that many filed cases in
one department (``bench/supervision_data.py``: straight into the tables, with their events) and
``--staff`` creates a clerk of it (the password from ``ZSB_STAFF_PASSWORD``). Prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
from datetime import timedelta

from tortoise import Tortoise
from tortoise.transactions import in_transaction

from app import clock
from app.cases.transitions import Actor, record_step
from bench.supervision_data import Plan, generate
from models.cases import Case

CLERK = Actor("staff", "0", "压测窗口")


async def _history(case_id: int, events: int) -> int:
    case = await Case.get(id=case_id)
    while case.event_seq < events:
        async with in_transaction() as conn:
            for _ in range(min(50, events - case.event_seq)):
                await record_step(case, actor=CLERK, reason="材料核验",
                                  data={"label": "材料核验"}, connection=conn)
    return case.event_seq


async def _queue(cases: int, staff: str | None) -> dict[str, object]:
    from app.staff import create_staff_account

    plan = Plan(cases=cases, end=clock.local(clock.now()).date() - timedelta(days=1), days=120,
                departments=1, items_per_department=4, tag="BQ")
    made = await generate(Tortoise.get_connection("default"), plan)
    out: dict[str, object] = {"queue_cases": made.cases, "queue_events": made.events,
                              "department_id": made.department_ids[0]}
    if staff:
        await create_staff_account(staff, os.environ["ZSB_STAFF_PASSWORD"], ["clerk"], "BQ00")
        out["staff"] = staff
    return out


async def _main(args: argparse.Namespace) -> dict[str, object]:
    from app.context import opened

    out: dict[str, object] = {}
    async with opened():
        for spec in args.history:
            case_id, _, events = spec.partition(":")
            out[f"case {case_id}"] = await _history(int(case_id), int(events))
        if args.queue:
            out.update(await _queue(args.queue, args.staff))
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.case_data")
    parser.add_argument("--history", action="append", default=[], metavar="CASE_ID:EVENTS")
    parser.add_argument("--queue", type=int, default=0)
    parser.add_argument("--staff")
    print(json.dumps(asyncio.run(_main(parser.parse_args(argv)))))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
