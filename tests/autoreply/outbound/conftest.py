"""The outbound tests' real processes: WeChat's API stand-in (a thread serving loopback
HTTP, reached by every process) and background workers (`manage.py worker`)."""

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.gunicorn_server import ROOT, test_database_url
from wechat.standin import StandIn

RETRY_SECONDS = "0.2"  # the backoff's base in these tests: three tries in about a second


class Api:
    """The running stand-in, and what it has seen."""

    def __init__(self, server: StandIn) -> None:
        self.server = server
        self.url = server.base_url

    def steer(self, path: str, body: dict[str, Any]) -> None:
        request = urllib.request.Request(f"{self.url}{path}", data=json.dumps(body).encode())
        urllib.request.urlopen(request, timeout=5).close()

    def sent(self, touser: str | None = None) -> list[dict[str, Any]]:
        return [m for m in self.server.state.sent if touser is None or m["touser"] == touser]

    @property
    def stats(self) -> dict[str, int]:
        state = self.server.state
        return {"token_fetches": state.token_fetches, "send_attempts": state.send_attempts}


@pytest.fixture
def standin(settings) -> Iterator[Api]:
    server = StandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.WECHAT_API_BASE_URL = server.base_url
    settings.AUTOREPLY_SEND_RETRY_SECONDS = float(RETRY_SECONDS)
    yield Api(server)
    server.shutdown()
    server.server_close()


@contextmanager
def workers(api: Api, count: int = 1) -> Iterator[list[subprocess.Popen]]:
    """`count` worker processes on the test database, pointed at the stand-in."""
    env = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "WECHAT_API_BASE_URL": api.url,
        "AUTOREPLY_SEND_RETRY_SECONDS": RETRY_SECONDS,
    }
    logs = [tempfile.TemporaryFile("w+") for _ in range(count)]  # noqa: SIM115
    command = [sys.executable, "manage.py", "worker", "--poll", "0.1"]
    processes = [subprocess.Popen(command, cwd=ROOT, env=env, stderr=log) for log in logs]
    try:
        yield processes
    finally:
        for process in processes:
            process.terminate()
        for process, log in zip(processes, logs, strict=True):
            process.wait(timeout=20)
            log.seek(0)
            workers.last_log = log.read()  # type: ignore[attr-defined]
            log.close()


def wait_for(condition: Callable[[], bool], seconds: float = 15) -> None:
    """Poll `condition` until it holds; fail the test after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            log = getattr(workers, "last_log", "")
            raise AssertionError(f"not within {seconds} s; last worker log:\n{log[-3000:]}")
        time.sleep(0.05)
