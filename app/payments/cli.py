"""``python -m app reconcile --date YYYY-MM-DD [--channel wechatpay|alipay]``."""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta

from tqdm import tqdm

from app import clock
from app.cli_args import past_date
from app.context import opened
from app.interfaces import PayChannel
from app.payments.reconcile import reconcile as run_reconcile

CHANNELS = tuple(PayChannel)


def reconcile(argv: list[str]) -> int:
    yesterday = (clock.local(clock.now()).date() - timedelta(days=1)).isoformat()
    parser = argparse.ArgumentParser(prog="python -m app reconcile")
    parser.add_argument("--date", default=yesterday, type=past_date,
                        help="bill day (Beijing time), YYYY-MM-DD; default yesterday")
    parser.add_argument("--channel", choices=CHANNELS, action="append")
    args = parser.parse_args(argv)
    return asyncio.run(_main(args.date.isoformat(), args.channel or list(CHANNELS)))


async def _main(bill_date: str, channels: list[str]) -> int:
    failed = 0
    async with opened() as ctx:
        for channel in channels:
            with tqdm(desc=f"{channel} {bill_date}", unit="row") as bar:

                def total(n: int, bar: tqdm = bar) -> None:
                    bar.total = n

                try:
                    run = await run_reconcile(
                        channel, bill_date, edges=ctx.edges, tick=bar.update, on_total=total,
                    )
                except Exception as exc:
                    failed += 1
                    bar.write(f"{channel}: 对账失败 {type(exc).__name__}: {exc}")
                    continue
            print(f"{channel} {bill_date}: {run.counts}")
    return 1 if failed else 0
