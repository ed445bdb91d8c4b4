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


@contextmanager
def gunicorn(workers: int = 3, **env: str) -> Iterator[str]:
    """Start gunicorn; yields its base URL; stops it afterwards."""
    port = free_port()
    # English, as the in-process tests read the admin (tests/autoreply/conftest.py).
    environment = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "DJANGO_LANGUAGE_CODE": "en",
        **env,
    }
    log = tempfile.TemporaryFile("w+")  # noqa: SIM115  (outlives this block: read at the end)
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--config", "config/gunicorn.py",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--access-logfile", os.devnull, "config.wsgi:application"],
        cwd=ROOT, env=environment, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, log)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=20)
        log.seek(0)
        gunicorn.last_log = log.read()  # type: ignore[attr-defined]
        log.close()


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
