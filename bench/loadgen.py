"""Running wrk with bench/load.lua and reading the numbers its done() prints."""

import itertools
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from dataclasses import dataclass, fields
from pathlib import Path

from wechat.signature import sign

LUA = Path(__file__).resolve().parent / "load.lua"
THREADS, CONNECTIONS = 2, 16  # the same load for every case
TIMEOUT = "5s"  # WeChat gives up after 5 s too
QUERIES_PER_RUN = 300_000  # more pushes than one run sends on this machine
_runs = itertools.count()
_tokens: dict[str, str] = {}  # signed_url -> the account's token


@dataclass
class Load:
    """What one wrk run sent and got back (latencies in µs)."""

    completed: int
    duration_us: int
    p50_us: int
    p99_us: int
    originals: int
    retries: int
    ok: int
    not_ok: int
    connect: int
    read: int
    write: int
    timeout: int
    # CPU seconds used meanwhile, set by the caller: by the server's processes, PostgreSQL,
    # wrk, and the whole machine (busy time of all cores: the rest is someone else's).
    app_cpu_s: float = 0.0
    db_cpu_s: float = 0.0
    wrk_cpu_s: float = 0.0
    busy_cpu_s: float = 0.0

    @property
    def per_second(self) -> float:
        return self.completed / (self.duration_us / 1e6)

    @property
    def sent(self) -> int:
        return self.originals + self.retries

    @property
    def outside_cpu_s(self) -> float:
        """CPU the machine used meanwhile for processes outside the benchmark."""
        return max(0.0, self.busy_cpu_s - self.app_cpu_s - self.db_cpu_s - self.wrk_cpu_s)

    @property
    def socket_errors(self) -> int:
        return self.connect + self.read + self.write + self.timeout


def signed_url(base: str, slug: str, token: str) -> str:
    """The webhook URL; `run` gives each push a signed query of its own (the webhook binds
    a query to the first body it carries, as WeChat sends one query per push)."""
    url = f"{base}/wechat/{slug}/"
    _tokens[url] = token
    return url


def queries_file(token: str, count: int = QUERIES_PER_RUN) -> Path:
    """`count` signed query strings, one a line, each with a nonce of its own."""
    timestamp, prefix = str(int(time.time())), f"b{next(_runs)}x"
    lines = []
    for number in range(count):
        nonce = f"{prefix}{number}"
        signature = sign(token, timestamp, nonce)
        lines.append(f"signature={signature}&timestamp={timestamp}&nonce={nonce}\n")
    with tempfile.NamedTemporaryFile("w", suffix=".queries", delete=False) as file:
        file.writelines(lines)
    return Path(file.name)


def run(url: str, seconds: int, texts_file: Path) -> Load:
    """Send for `seconds`; each run's MsgIds start with a run id of its own."""
    run_id = f"{int(time.time()) % 10**7:07d}{next(_runs) % 100:02d}"
    queries = queries_file(_tokens[url])
    command = [wrk_binary(), f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{seconds}s",
               f"--timeout={TIMEOUT}", "--latency", "-s", str(LUA), url, "--",
               str(texts_file), run_id, str(queries), str(THREADS)]  # fmt: skip
    try:
        out = subprocess.run(command, check=True, capture_output=True, text=True,
                             timeout=seconds + 60).stdout  # fmt: skip
    finally:
        queries.unlink()
    line = next((x for x in out.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk printed no BENCH line:\n{out}")
    values = dict(pair.split("=") for pair in line.split()[1:])
    return Load(**{f.name: int(values[f.name]) for f in fields(Load) if f.name in values})


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if not found:
        raise RuntimeError("wrk is not installed (bench/run installs it with apt-get as root)")
    return found


@dataclass
class Measured:
    """A case's measured runs together: throughput over all, medians of the latencies."""

    per_second: float
    rounds: list[float]  # each run's req/s, to show the noise
    p50_ms: float
    p99_ms: float
    not_ok: int
    socket_errors: int
    app_cpu_ms: float  # per request
    db_cpu_ms: float
    wrk_cpu_ms: float
    outside_pct: float  # of the machine's CPU, used by processes not in the benchmark


def measured(runs: list[Load]) -> Measured:
    completed = sum(r.completed for r in runs)
    seconds = sum(r.duration_us for r in runs) / 1e6
    return Measured(
        per_second=completed / seconds,
        rounds=[r.per_second for r in runs],
        p50_ms=statistics.median(r.p50_us for r in runs) / 1000,
        p99_ms=statistics.median(r.p99_us for r in runs) / 1000,
        not_ok=sum(r.not_ok for r in runs),
        socket_errors=sum(r.socket_errors for r in runs),
        app_cpu_ms=1000 * sum(r.app_cpu_s for r in runs) / completed,
        db_cpu_ms=1000 * sum(r.db_cpu_s for r in runs) / completed,
        wrk_cpu_ms=1000 * sum(r.wrk_cpu_s for r in runs) / completed,
        outside_pct=100 * sum(r.outside_cpu_s for r in runs) / seconds / (os.cpu_count() or 1),
    )


def combined(runs: list[Load]) -> dict[str, int]:
    """Counters summed over runs (warm-up + measurement), for the database check."""
    names = ("completed", "originals", "retries", "ok", "not_ok")
    return {name: sum(getattr(load, name) for load in runs) for name in names} | {
        "sent": sum(load.sent for load in runs)
    }
