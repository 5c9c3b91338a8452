"""schemathesis over the OpenAPI document, once with a citizen's token and once with a staff
admin's: no input may yield a 5xx, and every answer must match its documented schema.

The example count is bounded (``ZSB_FUZZ_EXAMPLES``, default 5 per operation) so the run
stays within a couple of minutes on the shared machine. Operations that end the caller's own
login (logout, account deletion, unbinding a channel, signing a session out, a staff member's
own password or account) would revoke the token the rest of the run uses: they are excluded
here and covered by their own tests. The live message stream never ends: excluded too.
"""

from __future__ import annotations

import asyncio
import os
import re
import sys
import time
from pathlib import Path

import pytest

EXAMPLES = int(os.environ.get("ZSB_FUZZ_EXAMPLES", "5"))
CHECKS = "not_a_server_error,response_schema_conformance"
# a staff token opens only staff paths and a citizen token only the others: each pass fuzzes
# the operations its token opens (a wrong token's 401 is the auth tests' business)
STAFF_PATHS = r"^/api/v1/staff/"
SELF_REVOKING = (
    r"/auth/logout$",
    r"/auth/refresh$",
    r"/me/deletion$",
    r"/me/channels/\{account_id\}$",
    r"/me/sessions/\{session_id\}$",
    r"/messages/stream$",
    r"/staff/admin/staff",
)


async def _fuzz(base_url: str, token: str, who: str, report: Path) -> tuple[int, str]:
    st = Path(sys.executable).with_name("st")
    args = [
        str(st), "run", f"{base_url}/docs/openapi.json", "--url", base_url,
        "--checks", CHECKS, "--max-examples", str(EXAMPLES), "--seed", "17",
        "--phases", "examples,coverage,fuzzing", "--workers", "1", "--no-shrink",
        "--header", f"Authorization: Bearer {token}",
        *_scope(who),
        "--request-timeout", "20", "--output-truncate", "false",
        "--report", "ndjson", "--report-ndjson-path", str(report),
        "--warnings", "off",
    ]
    proc = await asyncio.create_subprocess_exec(
        *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""},
    )
    out, _ = await proc.communicate()
    return proc.returncode or 0, out.decode(errors="replace")


def _scope(who: str) -> list[str]:
    if who == "staff":
        return ["--include-path-regex", STAFF_PATHS,
                "--exclude-path-regex", "|".join(SELF_REVOKING)]
    return ["--exclude-path-regex", "|".join((STAFF_PATHS, *SELF_REVOKING))]


def _figures(output: str) -> dict[str, int]:
    """What the run reports: operations tested, test cases sent, server errors found."""
    def first(pattern: str) -> int:
        found = re.search(pattern, output)
        return int(found.group(1)) if found else 0

    return {"operations": first(r"Tested: (\d+)"), "cases": first(r"(\d+) generated"),
            "server_errors": first(r"ST101 Server error: (\d+)")}


@pytest.mark.timeout(600)
async def test_no_5xx_and_answers_match_their_schemas(
    server, citizen, staff, tmp_path: Path
) -> None:
    person = await citizen()
    admin = await staff(roles=["admin"])
    failures = []
    for who, token in (("citizen", person.access), ("staff", admin.access)):
        report = tmp_path / f"{who}.ndjson"
        started = time.monotonic()
        code, output = await _fuzz(server.base_url, token, who, report)
        figures = {**_figures(output), "seconds": round(time.monotonic() - started)}
        print(f"schemathesis as {who}: exit {code}, {figures}")
        if code != 0:
            failures.append(f"--- as {who} ---\n{output[-20000:]}")
    assert not failures, "\n".join(failures)
