"""A PostgreSQL cluster of a test's own, to stop, freeze and restart for real (never the
suite's shared database): started, migrated and loaded with a rules file by the test."""

import json
import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
LOCALPG = [sys.executable, str(ROOT / "bin" / "localpg")]


class Cluster:
    def __init__(self, datadir: Path, url: str) -> None:
        self.datadir, self.url = datadir, url
        self.port = urlsplit(url).port

    def manage(self, *args: str) -> None:
        command = [sys.executable, "manage.py", *args]
        env = {**os.environ, "DATABASE_URL": self.url}
        subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)

    def load(self, rules: dict[str, Any]) -> None:
        """Import a rules file (as an operator would change rules on any node)."""
        with tempfile.NamedTemporaryFile("w", suffix=".json") as rules_file:
            json.dump(rules, rules_file)
            rules_file.flush()
            self.manage("import_rules", rules_file.name)

    def stop(self) -> None:
        """`pg_ctl stop -m fast`: every backend ends, nothing listens any more."""
        subprocess.run([*LOCALPG, "stop", str(self.datadir)], check=True)

    def start(self) -> None:
        command = [*LOCALPG, "start", str(self.datadir), "--port", str(self.port), "--throwaway"]
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)

    def processes(self) -> list[int]:
        """The postmaster first, then its children (backends, checkpointer, ...)."""
        postmaster = int((self.datadir / "postmaster.pid").read_text().split()[0])
        children = Path(f"/proc/{postmaster}/task/{postmaster}/children").read_text().split()
        return [postmaster, *map(int, children)]

    def freeze(self) -> None:
        """SIGSTOP: the server keeps its sockets (the kernel still accepts) but never answers."""
        for pid in self.processes():
            os.kill(pid, signal.SIGSTOP)

    def thaw(self) -> None:
        for pid in reversed(self.processes()):
            os.kill(pid, signal.SIGCONT)

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.url, autocommit=True, connect_timeout=5) as connection:
            return connection.execute(sql, params).fetchall()


@contextmanager
def cluster(rules: dict[str, Any]) -> Iterator[Cluster]:
    """A fresh, migrated cluster holding `rules` (a rules file); deleted afterwards."""
    datadir = Path(tempfile.mkdtemp(prefix="autoreply-outage-pg-"))  # as bin/test makes it
    started = subprocess.run(
        [*LOCALPG, "start", str(datadir), "--throwaway"], check=True, capture_output=True, text=True
    )
    own = Cluster(datadir, started.stdout.strip())
    try:
        own.manage("migrate", "--verbosity", "0")
        own.load(rules)
        yield own
    finally:
        if (datadir / "postmaster.pid").exists():
            own.thaw()  # a failed test may leave it frozen: pg_ctl stop needs it awake
        subprocess.run([*LOCALPG, "stop", str(datadir), "--remove"], check=False)
