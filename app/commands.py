"""Core sub-commands: migrations, departments and staff accounts."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from app.db import close_db, init_db
from app.db import migrate as run_migrations
from app.staff import ROLES


def migrate(argv: list[str]) -> int:
    argparse.ArgumentParser(prog="python -m app migrate").parse_args(argv)
    _ensure_sqlite_dir()
    asyncio.run(run_migrations())
    print("migrations applied")
    return 0


def makemigrations(argv: list[str]) -> int:
    """Write migrations for the named app labels (all if none). Unlike tortoise's own command
    it loads every app, so cross-app foreign keys resolve, and writes only what was asked."""
    parser = argparse.ArgumentParser(prog="python -m app makemigrations")
    parser.add_argument("labels", nargs="*")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 when the models differ from the migrations")
    args = parser.parse_args(argv)
    _ensure_sqlite_dir()
    pending = asyncio.run(_makemigrations(set(args.labels), write=not args.check))
    return 1 if args.check and pending else 0


async def _makemigrations(labels: set[str], *, write: bool = True) -> int:
    from tortoise.cli.cli import tortoise_cli_context
    from tortoise.migrations.autodetector import MigrationAutodetector

    from app.db import tortoise_config

    config = tortoise_config()
    async with tortoise_cli_context(config) as ctx:
        writers = await MigrationAutodetector(ctx.apps, config["apps"]).changes()
    pending = 0
    for writer in writers:
        if labels and writer.app_label not in labels:
            continue
        pending += 1
        if write:
            print(f"created {writer.app_label}.{writer.name}: {writer.write()}")
        else:
            print(f"missing {writer.app_label}.{writer.name}")
    return pending


def create_department(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app create-department")
    parser.add_argument("code")
    parser.add_argument("name")
    args = parser.parse_args(argv)

    async def run() -> None:
        from models.core import Department

        await init_db()
        try:
            dept, created = await Department.get_or_create(
                code=args.code, defaults={"name": args.name}
            )
            print(("created" if created else "exists") + f" department {dept.code} {dept.name}")
        finally:
            await close_db()

    asyncio.run(run())
    return 0


def create_staff(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m app create-staff")
    parser.add_argument("username")
    parser.add_argument("--name", help="display name (显示名)")
    parser.add_argument("--department", required=True, help="department code, e.g. GA")
    parser.add_argument(
        "--role", action="append", choices=ROLES, required=True, help="repeat for several"
    )
    parser.add_argument(
        "--password-env",
        default="ZSB_STAFF_PASSWORD",
        help="read the password from this environment variable instead of a prompt",
    )
    args = parser.parse_args(argv)
    password = os.environ.get(args.password_env) or getpass.getpass("password: ")
    if len(password) < 10:
        print("the password must have at least 10 characters", file=sys.stderr)
        return 2

    async def run() -> int:
        from app.staff import create_staff_account

        await init_db()
        try:
            staff = await create_staff_account(
                args.username, password, args.role, args.department, args.name
            )
        except LookupError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        finally:
            await close_db()
        print(f"staff {staff.username} ({', '.join(staff.roles)}) in {args.department}")
        return 0

    return asyncio.run(run())


def _ensure_sqlite_dir() -> None:
    from app.settings import get_settings

    s = get_settings()
    if s.is_sqlite:
        path = s.database_url.split("://", 1)[1]
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
