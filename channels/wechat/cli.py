"""``python -m app wechat-menu push FILE | show | delete``: the account's custom menu."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from app.context import opened
from app.interfaces import ProviderError
from channels.wechat.client import WeChatClient

SAMPLE = Path(__file__).with_name("menu.sample.json")


async def _run(action: str, menu: dict[str, Any] | None) -> int:
    async with opened(database=False) as ctx:
        return await _act(ctx.edges.wechat(), action, menu)


async def _act(client: WeChatClient, action: str, menu: dict[str, Any] | None) -> int:
    try:
        if action == "push" and menu is not None:
            await client.menu.create(menu)
            print("menu pushed")
        elif action == "delete":
            await client.menu.delete()
            print("menu deleted")
        else:
            print(json.dumps(await client.menu.get(), ensure_ascii=False, indent=2))
        return 0
    except ProviderError as exc:
        print(f"wechat refused: {exc}", file=sys.stderr)
        return 1


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app wechat-menu")
    sub = parser.add_subparsers(dest="action", required=True)
    push = sub.add_parser("push", help="create the menu from a JSON file")
    push.add_argument("file", nargs="?", default=str(SAMPLE), help=f"default: {SAMPLE.name}")
    sub.add_parser("show", help="print the current menu")
    sub.add_parser("delete", help="remove the menu")
    args = parser.parse_args(argv)
    menu = None
    if args.action == "push":
        try:
            menu = json.loads(Path(args.file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            print(f"cannot read menu file: {exc}", file=sys.stderr)
            return 2
        if not isinstance(menu, dict):
            print("the menu file must hold a JSON object with 'button'", file=sys.stderr)
            return 2
    try:
        return asyncio.run(_run(args.action, menu))
    except ValueError as exc:
        print(f"invalid menu: {exc}", file=sys.stderr)
        return 2
