"""The processes the end-to-end benchmark runs: a durable PostgreSQL and gunicorn."""

import contextlib
import os
import resource
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
WORKERS = 3  # the same for every case


class Postgres:
    """The running cluster: its DATABASE_URL, and the CPU its processes have used; and the
    spool folder of the servers that use it (AUTOREPLY_SPOOL_DIR)."""

    def __init__(self, url: str, datadir: Path, spool: Path) -> None:
        self.url, self.datadir, self.spool = url, datadir, spool

    def commits(self) -> int:
        """Transactions committed in the benchmark's database so far (pg_stat_database)."""
        with psycopg.connect(self.url, autocommit=True) as conn:
            row = conn.execute(
                "SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()"
            ).fetchone()
        return int(row[0]) if row else 0

    def cpu_seconds(self) -> float:
        """CPU of the postmaster's children (backends, WAL writer...), the exited ones too."""
        postmaster = int((self.datadir / "postmaster.pid").read_text().split()[0])
        return cpu_seconds([postmaster, *children(postmaster)], reaped=True)


@contextlib.contextmanager
def postgres() -> Iterator[Postgres]:
    """A fresh cluster with fsync and synchronous_commit left on (bin/localpg's defaults),
    and a spool that lives and dies with it: pushes one run spooled (a stall of the machine
    past the watchdog's cut-off does that) are never replayed into another run's database,
    as they were from the repository's .local/spool."""
    datadir = Path(f"/tmp/autoreply-bench-pg-{os.getpid()}")
    localpg = [str(ROOT / "bin" / "localpg")]
    url = subprocess.run([*localpg, "start", str(datadir)], check=True, capture_output=True,
                         text=True).stdout.strip()  # fmt: skip
    try:
        with tempfile.TemporaryDirectory(prefix="autoreply-bench-spool-") as spool:
            yield Postgres(url, datadir, Path(spool))
    finally:
        subprocess.run([*localpg, "stop", str(datadir), "--remove"], check=False)


def pg_binary(name: str) -> str:
    """A PostgreSQL server program (pgbench, ...) of the newest installed version."""
    found = sorted(
        Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), key=lambda p: int(p.parts[-3])
    )
    if not found:
        raise RuntimeError(f"{name} is not installed (/usr/lib/postgresql/*/bin)")
    return str(found[-1])


def machine_busy_seconds() -> float:
    """User + system time all cores have spent on processes since boot (/proc/stat)."""
    user, nice, system = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:4]
    return (int(user) + int(nice) + int(system)) / os.sysconf("SC_CLK_TCK")


def children_cpu_seconds() -> float:
    """CPU used by this process's exited children (wrk, once it has been waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _stat(pid: int) -> list[str]:
    """/proc/PID/stat's fields after the command name (field 3 onwards)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def children(parent: int) -> list[int]:
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            if int(_stat(int(stat.parent.name))[1]) == parent:
                pids.append(int(stat.parent.name))
    return sorted(pids)


def cpu_seconds(pids: list[int], *, reaped: bool = False) -> float:
    """User + system CPU of the processes (and of their exited children when `reaped`)."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = _stat(pid)
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
            if reaped:
                ticks += int(fields[13]) + int(fields[14])  # cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Gunicorn:
    """gunicorn serving `app` on 127.0.0.1 with WORKERS workers (sync, or as
    config/gunicorn.py says when the environment has BENCH_GUNICORN_CONFIG)."""

    def __init__(self, app: str, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [str(VENV_BIN / "gunicorn"), app, "--bind", f"127.0.0.1:{self.port}"]
        if env.get("BENCH_GUNICORN_CONFIG"):  # as README runs production; its access log
            command += ["--config", "config/gunicorn.py", "--access-logfile", os.devnull]
        command += ["--workers", str(WORKERS), "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=env)

    def __enter__(self) -> "Gunicorn":
        try:
            self._wait_ready()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def _wait_ready(self, seconds: float = 60) -> None:
        """Until every worker is up and the app answers over HTTP (any status will do)."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            if len(self.workers()) == WORKERS and self._answers():
                return
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn did not answer on {self.url} within {seconds:.0f} s")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/healthz", timeout=5):
                return True
        except urllib.error.HTTPError:
            return True
        except OSError:
            return False

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def cpu_seconds(self) -> float:
        return cpu_seconds([self.process.pid, *self.workers()], reaped=True)

    def worker_pss_mib(self) -> list[float]:
        """Each worker's proportional set size: its own pages, and its share of the pages
        it shares with the master and the other workers (the code all of them imported)."""
        return self._each_worker_mib("smaps_rollup", "Pss:")

    def worker_rss_mib(self) -> list[float]:
        """Each worker's resident set size (VmRSS), in MiB."""
        return self._each_worker_mib("status", "VmRSS:")

    def _each_worker_mib(self, proc_file: str, field: str) -> list[float]:
        sizes = []
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/{proc_file}").read_text().splitlines():
                if line.startswith(field):
                    sizes.append(int(line.split()[1]) / 1024)
        return sizes
