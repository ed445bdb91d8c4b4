"""A real gunicorn serving config.wsgi on loopback, against the test database, for tests
that need several worker processes (deduplication races, rule changes reaching every
worker). The data these tests create must be committed: use `transactional_db`."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Server(str):
    """The base URL (a str, as tests use it), with the gunicorn master and its spool."""

    process: subprocess.Popen
    spool: Path

    def worker_pids(self) -> list[int]:
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in children.read_text().split()]


@contextmanager
def gunicorn(
    workers: int = 3, database_url: str | None = None, access_log: str = os.devnull, **env: str
) -> Iterator[Server]:
    """Start gunicorn (against the test database unless told another); yields its base URL;
    stops it afterwards. Each server spools to a folder of its own, deleted with it."""
    port = free_port()
    spool = tempfile.TemporaryDirectory(prefix="autoreply-spool-")
    environment = {
        **os.environ,
        "DATABASE_URL": database_url or test_database_url(),
        "AUTOREPLY_SPOOL_DIR": spool.name,
        "DJANGO_LANGUAGE_CODE": "en",  # as the in-process tests read the admin
        **env,
    }
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115  (outlives this block: read at the end)
    command = [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    command += ["--access-logfile", access_log, "config.wsgi:application"]
    process = subprocess.Popen(command, cwd=ROOT, env=environment, stderr=log)
    base = Server(f"http://127.0.0.1:{port}")
    base.process, base.spool = process, Path(environment["AUTOREPLY_SPOOL_DIR"])
    try:
        wait_until_up(base, process, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.seek(0)
        gunicorn.last_log = log.read()  # type: ignore[attr-defined]
        log.close()
        spool.cleanup()


def wait_until_up(base: str, process: subprocess.Popen, log: IO[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"gunicorn exited: {log.read()}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not come up in time")


def post(url: str, body: bytes, timeout: float = 10) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "text/xml"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
