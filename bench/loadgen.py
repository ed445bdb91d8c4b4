"""Running wrk with bench/load.lua and reading the numbers its done() prints."""

import itertools
import os
import random
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass, fields
from pathlib import Path
from urllib.parse import urlencode

from wechat.signature import sign

LUA = Path(__file__).resolve().parent / "load.lua"
THREADS, CONNECTIONS = 2, 32  # the same load for every case
# Signed queries made per second of a run: more than any case answers (the ceiling's
# ~11,000/s), so that no query is used twice with different bodies.
PUSHES_PER_SECOND = 16_000
TIMEOUT = "5s"  # WeChat gives up after 5 s too
_runs = itertools.count()


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
    commits: int = 0  # transactions the database committed meanwhile (pg_stat_database)

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


@dataclass(frozen=True)
class Target:
    """Where the load goes: a server's webhook for one account, and the account's token."""

    base: str
    slug: str
    token: str

    def url(self) -> str:
        """The webhook URL with a signed query of its own, for one push."""
        timestamp, nonce = str(int(time.time())), str(random.randrange(10**9))
        signature = sign(self.token, timestamp, nonce)
        query = urlencode({"signature": signature, "timestamp": timestamp, "nonce": nonce})
        return f"{self.base}/wechat/{self.slug}/?{query}"


def signed_paths(target: Target, count: int, folder: Path) -> Path:
    """`count` webhook paths, each with a signed query of its own (a fresh nonce), good for
    the 300 s timestamp window; written one per line for load.lua."""
    timestamp = str(int(time.time()))
    lines = []
    for number in range(count):
        nonce = f"{number:010d}"
        query = urlencode(
            {
                "signature": sign(target.token, timestamp, nonce),
                "timestamp": timestamp,
                "nonce": nonce,
            }
        )
        lines.append(f"/wechat/{target.slug}/?{query}")
    path = folder / "bench-queries.txt"
    path.write_text("\n".join(lines) + "\n")
    return path


def run(target: Target, seconds: int, texts_file: Path) -> Load:
    """Send for `seconds`; each run's MsgIds start with a run id of its own."""
    run_id = f"{int(time.time()) % 10**7:07d}{next(_runs) % 100:02d}"
    queries = signed_paths(target, seconds * PUSHES_PER_SECOND, texts_file.parent)
    command = [
        wrk_binary(),
        f"-t{THREADS}",
        f"-c{CONNECTIONS}",
        f"-d{seconds}s",
        f"--timeout={TIMEOUT}",
        "--latency",
        "-s",
        str(LUA),
        target.base,
        "--",
        str(texts_file),
        run_id,
        str(queries),
        str(THREADS),
    ]
    out = subprocess.run(
        command, check=True, capture_output=True, text=True, timeout=seconds + 60
    ).stdout
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
    db_cpu_per_row_ms: float  # PostgreSQL's CPU per new message sent (each stored once)
    commits_per_row: float


def measured(runs: list[Load]) -> Measured:
    completed = sum(r.completed for r in runs)
    originals = sum(r.originals for r in runs)
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
        db_cpu_per_row_ms=1000 * sum(r.db_cpu_s for r in runs) / max(1, originals),
        commits_per_row=sum(r.commits for r in runs) / max(1, originals),
    )


def combined(runs: list[Load]) -> dict[str, int]:
    """Counters summed over runs (warm-up + measurement), for the database check."""
    names = ("completed", "originals", "retries", "ok", "not_ok")
    return {name: sum(getattr(load, name) for load in runs) for name in names} | {
        "sent": sum(load.sent for load in runs)
    }
