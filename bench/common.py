"""Shared benchmark helpers. Small API, meant for every ``bench/bench_*.py``:

- ``Database(backend)`` — a fresh database (PostgreSQL: ``zsb_bench_<pid>``, dropped on close;
  SQLite: a file under ``var/bench/``) and ``env`` with the ``ZSB_*`` settings for it.
- ``prepare(env)`` — ``python -m app migrate`` and ``seed-demo`` against that env.
- ``start_baseline()`` / ``start_zsb(env)`` — serve the hello-world baseline (``bench/baseline.py``)
  or our app as a subprocess on a free loopback port; ``await server.stop()`` when done.
- ``measure(name, url, headers=None)`` — load one URL (``wrk`` if installed, else a Python
  aiohttp loop) and answer a ``Result`` (requests/s, latency p50/p90/p99 in ms, errors).
- ``measure_rounds([(name, url, headers), …])`` — the same, interleaved over ``BENCH_ROUNDS``
  rounds (default 3), keeping each scenario's median run; use it for ratios.
- ``report(results, baseline)`` — print a table with each result as a ratio to the baseline.

Knobs (environment): ``BENCH_DURATION`` seconds per URL (default 5), ``BENCH_CONNECTIONS``
(default 32), ``BENCH_WARMUP`` seconds (default 1), ``BENCH_ZSB_SERVE`` (default
``-m app serve``), ``BENCH_PIN`` (default on). The servers run one worker each, so the
ratio compares like with like on any machine.

With two or more CPUs and ``taskset`` available, the servers run on CPU 0 and the load
generator on the last CPU, for the baseline and for ours alike: on a small machine a load
generator that lands on the server's CPU takes a different share from every run.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from sandbox.runner import free_port

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
DURATION = float(os.environ.get("BENCH_DURATION", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "32"))
WARMUP = float(os.environ.get("BENCH_WARMUP", "1"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
# seconds a server may take to answer /healthz (imports alone take ~25 s on a loaded 2-core box)
START_TIMEOUT = float(os.environ.get("BENCH_START_TIMEOUT", "120"))
WRK = shutil.which("wrk")
_PIN = (
    os.environ.get("BENCH_PIN", "1") != "0"
    and (os.cpu_count() or 1) >= 2
    and shutil.which("taskset") is not None
)
SERVER_PIN = ["taskset", "-c", "0"] if _PIN else []
LOAD_PIN = ["taskset", "-c", str((os.cpu_count() or 1) - 1)] if _PIN else []
# how to start our server; override (e.g. a wrapper script) with BENCH_ZSB_SERVE="path/x.py"
ZSB_SERVE = os.environ.get("BENCH_ZSB_SERVE", "-m app serve").split()

_WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '\\n@@{"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,'
    .. '"p50":%d,"p90":%d,"p99":%d}\\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99)))
end
"""


_LOCK_FILE = Path(tempfile.gettempdir()) / "zsb-bench.lock"
_held: list[object] = []


def _one_benchmark_at_a_time() -> None:
    """Two benchmarks on one machine would measure each other: wait for the other to finish.
    The lock is held until this process exits."""
    if _held:
        return
    handle = _LOCK_FILE.open("w")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("waiting for another benchmark on this machine to finish …", file=sys.stderr,
              flush=True)
        fcntl.flock(handle, fcntl.LOCK_EX)
    _held.append(handle)


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    errors: int = 0
    non2xx: int = 0
    tool: str = "wrk"


@dataclass
class Server:
    name: str
    proc: asyncio.subprocess.Process
    base_url: str
    log: Path

    async def stop(self) -> None:
        """Stop the server and its workers (it runs in its own process group)."""
        if self.proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 10)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                await self.proc.wait()


@dataclass
class Database:
    """A fresh database for one benchmark run; ``env`` points our server at it."""

    backend: str = "postgres"  # postgres | sqlite
    env: dict[str, str] = field(default_factory=dict)
    _name: str = ""

    async def open(self) -> Database:
        await asyncio.to_thread(_one_benchmark_at_a_time)
        if self.backend == "sqlite":
            path = ROOT / "var" / "bench" / f"bench-{os.getpid()}.sqlite3"
            path.parent.mkdir(parents=True, exist_ok=True)
            for old in path.parent.glob(path.name + "*"):
                old.unlink()
            self.env = {"ZSB_DATABASE_URL": f"sqlite://{path}"}
            self._name = str(path)
            return self
        import asyncpg

        self._name = f"zsb_bench_{os.getpid()}"
        conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{self._name}"')
            await conn.execute(f'CREATE DATABASE "{self._name}"')
        finally:
            await conn.close()
        self.env = {
            "ZSB_DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{self._name}",
            "ZSB_REDIS_URL": "redis://127.0.0.1:6379/0",
            "ZSB_KV_PREFIX": f"zsb-bench-{os.getpid()}:",
        }
        return self

    async def close(self) -> None:
        if self.backend == "sqlite":
            for old in Path(self._name).parent.glob(Path(self._name).name + "*"):
                old.unlink()
            return
        import asyncpg

        conn = await asyncpg.connect("postgresql://postgres@127.0.0.1:5432/postgres")
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{self._name}" WITH (FORCE)')
        finally:
            await conn.close()
        import redis.asyncio as aioredis

        client = aioredis.from_url(self.env["ZSB_REDIS_URL"])
        try:
            keys = [k async for k in client.scan_iter(match=self.env["ZSB_KV_PREFIX"] + "*")]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()


def _env(extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZSB_")}
    env.update(
        {
            "ZSB_ENV": "development",
            "ZSB_LOG_LEVEL": "WARNING",
            "ZSB_ACCESS_LOG": "false",
            "PYTHONPATH": str(ROOT),
        }
    )
    env.update(extra)
    return env


async def run_command(args: list[str], env: dict[str, str]) -> str:
    proc = await asyncio.create_subprocess_exec(
        PYTHON,
        *args,
        cwd=ROOT,
        env=_env(env),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out, _ = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed:\n{out.decode(errors='replace')}")
    return out.decode(errors="replace")


async def prepare(env: dict[str, str]) -> str:
    """Migrate the database and load the demo catalogue; answer what seed-demo printed."""
    await run_command(["-m", "app", "migrate"], env)
    return await run_command(["-m", "app", "seed-demo"], env)


async def _start(
    name: str, args: list[str], env: dict[str, str], port: int, *, pin: bool = True
) -> Server:
    log = Path(tempfile.gettempdir()) / f"bench-{name}-{port}.log"
    handle = log.open("wb")
    proc = await asyncio.create_subprocess_exec(
        *(SERVER_PIN if pin else []),
        PYTHON,
        *args,
        cwd=ROOT,
        env=_env(env),
        stdout=handle,
        stderr=asyncio.subprocess.STDOUT,
        start_new_session=True,
    )  # its own process group: stop() reaches every worker
    handle.close()
    server = Server(name, proc, f"http://127.0.0.1:{port}", log)
    deadline = time.monotonic() + START_TIMEOUT
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            if proc.returncode is not None:
                break
            with contextlib.suppress(aiohttp.ClientError, OSError):
                async with session.get(server.base_url + "/healthz") as resp:
                    if resp.status == 200:
                        return server
            await asyncio.sleep(0.1)
    await server.stop()
    raise RuntimeError(f"{name} did not start; see {log}:\n{log.read_text()[-3000:]}")


async def start_baseline() -> Server:
    port = free_port()
    return await _start(
        "baseline", [str(ROOT / "bench" / "baseline.py"), "--port", str(port)], {}, port
    )


async def start_baseline_db(env: dict[str, str]) -> Server:
    """B1 (``bench/baseline_db.py``) on the database of ``env`` (PostgreSQL only)."""
    port = free_port()
    dsn = env["ZSB_DATABASE_URL"].replace("postgres://", "postgresql://", 1)
    return await _start("baseline_db", [str(ROOT / "bench" / "baseline_db.py"), "--port",
                                        str(port), "--dsn", dsn], {}, port)


def rss_mb(server: Server) -> float:
    """The server process's resident memory (Linux; 0 elsewhere). The one-worker server runs
    in the process ``taskset`` became, so its pid is the worker's."""
    try:
        status = Path(f"/proc/{server.proc.pid}/status").read_text()
    except OSError:
        return 0.0
    line = next((ln for ln in status.splitlines() if ln.startswith("VmRSS:")), "VmRSS: 0 kB")
    return int(line.split()[1]) / 1024


async def start_zsb(env: dict[str, str], workers: int = 1) -> Server:
    port = free_port()
    args = [*ZSB_SERVE, "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    return await _start("zsb", args, env, port, pin=workers == 1)


async def _wrk(name: str, url: str, headers: dict[str, str], seconds: float) -> Result:
    return await run_wrk(name, url, _WRK_REPORT, seconds, CONNECTIONS, headers)


async def run_wrk(name: str, url: str, script_text: str, seconds: float, connections: int,
                  headers: dict[str, str] | None = None) -> Result:
    """One ``wrk`` run (one thread, pinned like every load) with a Lua script that ends with
    ``_WRK_REPORT``; answer its figures."""
    assert WRK
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(script_text)
    args = [*LOAD_PIN, WRK, "-t1", f"-c{connections}", f"-d{max(1, round(seconds))}s", "-s",
            script.name]
    for k, v in (headers or {}).items():
        args += ["-H", f"{k}: {v}"]
    proc = await asyncio.create_subprocess_exec(
        *args, url, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await proc.communicate()
    os.unlink(script.name)
    text = out.decode(errors="replace")
    line = next((ln for ln in text.splitlines() if ln.startswith("@@")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no report:\n{text}")
    d = json.loads(line[2:])
    return Result(
        name,
        d["requests"] / (d["duration_us"] / 1e6),
        d["p50"] / 1000,
        d["p90"] / 1000,
        d["p99"] / 1000,
        d["errors"],
        d["non2xx"],
    )


async def _python_load(name: str, url: str, headers: dict[str, str], seconds: float) -> Result:
    latencies: list[float] = []
    errors = non2xx = 0
    stop_at = time.perf_counter() + seconds

    async def worker(session: aiohttp.ClientSession) -> None:
        nonlocal errors, non2xx
        while time.perf_counter() < stop_at:
            t = time.perf_counter()
            try:
                async with session.get(url, headers=headers) as resp:
                    await resp.read()
                    non2xx += resp.status >= 400
            except aiohttp.ClientError:
                errors += 1
                continue
            latencies.append(time.perf_counter() - t)

    started = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=CONNECTIONS)
    async with aiohttp.ClientSession(connector=connector) as session:
        await asyncio.gather(*(worker(session) for _ in range(CONNECTIONS)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1000

    return Result(
        name,
        len(latencies) / elapsed,
        pct(0.5),
        pct(0.9),
        pct(0.99),
        errors,
        non2xx,
        tool="aiohttp",
    )


async def measure(
    name: str, url: str, headers: dict[str, str] | None = None, seconds: float | None = None
) -> Result:
    """Warm up, then load ``url`` for ``seconds`` (default ``DURATION``); errors and 4xx/5xx
    answers are counted in the result."""
    headers = headers or {}
    seconds = seconds or DURATION
    load = _wrk if WRK else _python_load
    if WARMUP > 0:
        await load(name, url, headers, WARMUP)
    return await load(name, url, headers, seconds)


Scenario = tuple[str, str, dict[str, str] | None]  # (name, url, headers)


async def measure_rounds(scenarios: list[Scenario], rounds: int | None = None) -> list[Result]:
    """Measure every scenario ``rounds`` times (default ``ROUNDS``), interleaved, and keep each
    one's median run: on a shared or busy machine, load from elsewhere then hits all alike."""
    rounds = rounds or ROUNDS
    runs: dict[str, list[Result]] = {name: [] for name, _, _ in scenarios}
    for _ in range(rounds):
        for name, url, headers in scenarios:
            runs[name].append(await measure(name, url, headers))
    return [
        sorted(runs[name], key=lambda r: r.rps)[len(runs[name]) // 2] for name, _, _ in scenarios
    ]


SUMMARY = os.environ.get("BENCH_SUMMARY")  # JSON lines that ``python -m bench`` collects


def summarize(scenario: str, value: float, *, base: str = "B0", ref: float | None = None,
              unit: str = "req/s", p99_ms: float | None = None, target: float | None = None,
              source: str | None = None) -> None:
    """One row of the table ``make bench`` prints at the end: ``value`` as a ratio to ``ref``
    (the ``base`` baseline of the same run; ``None``: B1 of the case-read bench in this run)."""
    if not SUMMARY:
        return
    row = {"source": source or Path(sys.argv[0]).stem, "scenario": scenario, "value": value,
           "unit": unit, "base": base, "ref": ref, "p99_ms": p99_ms, "target": target}
    with open(SUMMARY, "a") as out:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def report(results: list[Result], baseline: Result, *, summary: bool = True) -> None:
    print(
        f"\n{'scenario':28s} {'req/s':>9s} {'ratio':>6s} {'p50 ms':>7s} {'p90 ms':>7s} "
        f"{'p99 ms':>7s} {'errors':>6s}"
    )
    for r in results:
        ratio = r.rps / baseline.rps if baseline.rps else 0.0
        print(
            f"{r.name:28s} {r.rps:9.0f} {ratio:6.2f} {r.p50_ms:7.2f} {r.p90_ms:7.2f} "
            f"{r.p99_ms:7.2f} {r.errors + r.non2xx:6d}"
        )
        if summary and r is not baseline:
            summarize(r.name, r.rps, ref=baseline.rps, p99_ms=r.p99_ms)
    tool = results[0].tool if results else "-"
    print(
        f"(load: {tool}, {CONNECTIONS} connections, {DURATION:g}s per run, median of "
        f"{ROUNDS} interleaved rounds where measured so, one worker per server)"
    )
