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
        assert ctx.apps is not None  # the context has loaded the apps
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
    parser = argparse.ArgumentParser(
        prog="python -m app create-staff",
        description="Create a staff account; an existing one changes only with --update.")
    parser.add_argument("username")
    parser.add_argument("--name", help="display name (显示名)")
    parser.add_argument("--department", help="department code, e.g. GA (required to create)")
    parser.add_argument(
        "--role", action="append", choices=ROLES, help="repeat for several (required to create)"
    )
    parser.add_argument("--update", action="store_true",
                        help="change an existing account: only what is given changes")
    parser.add_argument("--deactivate", action="store_true", help="with --update: lock it out")
    parser.add_argument(
        "--password-env",
        default="ZSB_STAFF_PASSWORD",
        help="read the password from this environment variable instead of a prompt "
             "(with --update the password changes only when it is set)",
    )
    args = parser.parse_args(argv)
    if args.deactivate and not args.update:
        parser.error("--deactivate changes an account: add --update")

    async def run() -> int:
        from app.staff import create_staff_account, update_staff_account
        from models.core import StaffAccount

        await init_db()
        try:
            existing = await StaffAccount.get_or_none(username=args.username)
            if existing is not None and not args.update:
                print(f"staff {args.username} exists: nothing changed (add --update to change "
                      "it)", file=sys.stderr)
                return 2
            if existing is None:
                if not args.department or not args.role:
                    print("a new account needs --department and --role", file=sys.stderr)
                    return 2
                password = _password(args.password_env, required=True)
                if password is None:
                    return 2
                staff = await create_staff_account(
                    args.username, password, args.role, args.department, args.name)
                print(f"created staff {staff.username} ({', '.join(staff.roles)}) in "
                      f"{args.department}")
                return 0
            password = _password(args.password_env, required=False)
            if password == "":
                return 2
            changes = await update_staff_account(
                existing, password=password, roles=args.role, department_code=args.department,
                display_name=args.name, active=False if args.deactivate else None)
            print(f"updated staff {args.username}: " + ("; ".join(changes) or "nothing changed"))
            return 0
        except LookupError as exc:
            print(str(exc), file=sys.stderr)
            return 2
        finally:
            await close_db()

    return asyncio.run(run())


def _password(env_name: str, *, required: bool) -> str | None:
    """The password from ``env_name`` or a prompt (only when ``required``); "" after saying
    why it is refused."""
    password = os.environ.get(env_name) or (getpass.getpass("password: ") if required else None)
    if password is not None and len(password) < 10:
        print("the password must have at least 10 characters", file=sys.stderr)
        return ""
    return password


def _ensure_sqlite_dir() -> None:
    from app.settings import get_settings

    s = get_settings()
    if s.is_sqlite:
        path = s.database_url.split("://", 1)[1]
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
