"""``python -m app <command>``: serve (default), migrate, seed-demo, create-staff, and the
commands each part of the system registers below."""

from __future__ import annotations

import importlib
import sys

# sub-command → "module:function"; the function takes argv and returns an exit code
COMMANDS: dict[str, str] = {
    "serve": "app.server:main",
    "migrate": "app.commands:migrate",
    "makemigrations": "app.commands:makemigrations",
    "create-staff": "app.commands:create_staff",
    "create-department": "app.commands:create_department",
    "seed-demo": "app.catalogue.seed:main",
    "express-poll": "app.shipments.polling:main",
    "worker": "push.worker:main",
    "rotate-pii-key": "app.identity.rotation:main",
    "wechat-menu": "channels.wechat.cli:main",
    "reconcile": "app.payments.cli:reconcile",
    "verify-certificate": "app.certificates.cli:main",
    "supervision-rollup": "app.supervision.rollup:main",
    "audit-chains": "app.cases.chain_cli:main",
}


# one line each for ``python -m app --help``
SUMMARIES: dict[str, str] = {
    "serve": "run the API server (the default command); --sandbox adds the simulators",
    "migrate": "apply the database migrations",
    "makemigrations": "write migrations for changed models (--check: only report)",
    "create-staff": "create a staff account (--update changes an existing one)",
    "create-department": "create a department (部门) by code and name",
    "seed-demo": "load the demo departments and catalogue",
    "express-poll": "query the courier for shipments without news",
    "worker": "run the push dispatchers alone (on other hosts)",
    "rotate-pii-key": "re-encrypt personal data under the current ZSB_PII_KEYS key",
    "wechat-menu": "show or publish the WeChat official-account menu",
    "reconcile": "reconcile a day's payment bills (--date YYYY-MM-DD, default yesterday)",
    "verify-certificate": "check an electronic certificate (电子证明) offline",
    "supervision-rollup": "roll settled days into the supervision figures (--from/--to)",
    "audit-chains": "verify every case timeline's keyed SM3 chain (tamper evidence)",
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = ["usage: python -m app <command> [options]   (python -m app <command> --help)",
             "", "commands:"]
    lines += [f"  {name:<{width}}  {SUMMARIES.get(name, '')}".rstrip()
              for name in sorted(COMMANDS)]
    return "\n".join(lines)


def configuration_problem() -> str | None:
    from pydantic import ValidationError

    from app.settings import describe_error, get_settings

    try:
        get_settings()
    except ValidationError as exc:
        return describe_error(exc)
    return None


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] in {"help", "--help", "-h"}:
        print(usage())
        return 0
    name = argv.pop(0) if argv and not argv[0].startswith("-") else "serve"
    target = COMMANDS.get(name)
    if target is None:
        print(f"unknown command {name!r}; try: {', '.join(sorted(COMMANDS))}", file=sys.stderr)
        return 2
    problem = configuration_problem()
    if problem:
        # one line, before anything starts (no worker, no traceback)
        print(f"configuration error: {problem}", file=sys.stderr)
        return 2
    module, _, func = target.partition(":")
    return int(getattr(importlib.import_module(module), func)(argv) or 0)
