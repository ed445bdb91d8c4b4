"""README's production recipe, followed literally on a clean database: the commands of
its `sh production` blocks run in order with a production environment (DEBUG off, a real
host name, an explicit secret key); then the admin's static files load, the webhook
answers, the worker runs."""

import json
import os
import re
import shlex
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from urllib.parse import urlencode

import pytest
from django.db import connection

from tests.gunicorn_server import ROOT, free_port
from tests.gunicorn_server import test_database_url as database_url
from tests.wechat_client import signed_query, text
from wechat.replies import parse_reply

HOST = "wx.example.com"
BLOCK = re.compile(r"```sh production\n(.*?)```", re.S)

pytestmark = pytest.mark.django_db(transaction=True)


def recipe() -> list[str]:
    commands = [
        line.strip()
        for block in BLOCK.findall((ROOT / "README.md").read_text())
        for line in block.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert commands, "README.md has no ```sh production block"
    return commands


@pytest.fixture
def clean_database() -> Iterator[str]:
    name = f"autoreply_recipe_{os.getpid()}"
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {name}")
    try:
        yield database_url().rsplit("/", 1)[0] + "/" + name
    finally:
        connection.close()
        with connection.cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def get(url: str, body: bytes | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, data=body, headers={"Host": HOST})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def wait_up(base: str, processes: list[subprocess.Popen], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert all(p.poll() is None for p in processes), "a production process exited"
        try:
            if get(f"{base}/healthz")[0] in (200, 503):
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("gunicorn did not answer")


def test_the_production_recipe_runs_as_written(clean_database, tmp_path):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "AUTOREPLY_"))},
        "DATABASE_URL": clean_database,
        "DJANGO_SECRET_KEY": "recipe-test-key-0123456789-0123456789-0123456789-xyz",
        "DJANGO_ALLOWED_HOSTS": HOST,
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "AUTOREPLY_BIND": f"127.0.0.1:{port}",
        "AUTOREPLY_SPOOL_DIR": str(tmp_path / "spool"),
        "WEB_CONCURRENCY": "2",
    }
    *steps, web, worker = recipe()
    for step in steps:
        done = subprocess.run(shlex.split(step), cwd=ROOT, env=env, capture_output=True, text=True)
        assert done.returncode == 0, f"{step}\n{done.stderr[-2000:]}"
    assert "gunicorn" in web and "worker" in worker
    processes = [subprocess.Popen(shlex.split(c), cwd=ROOT, env=env) for c in (web, worker)]
    try:
        base = f"http://127.0.0.1:{port}"
        wait_up(base, processes)
        status, headers, _ = get(f"{base}/static/admin/css/base.css")
        assert status == 200 and headers["Content-Type"].startswith("text/css")
        status, _, page = get(f"{base}/admin/login/")
        assert status == 200 and b"/static/admin/css/base." in page  # the manifest's name
        # An operator's first account, then WeChat's first push.
        imported = subprocess.run(
            [".venv/bin/python", "manage.py", "import_rules", "fixtures/bots/echo.json"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
        )
        assert imported.returncode == 0, imported.stderr
        query = urlencode(signed_query("spamtest"))
        deadline = time.monotonic() + 5
        while True:  # every worker notices the new account within a second
            status, _, body = get(f"{base}/wechat/echo/?{query}", text("hello, production"))
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert status == 200
        assert parse_reply(body).content == "hello, production"
        assert processes[1].poll() is None, "the worker exited"
        deadline = time.monotonic() + 20  # the worker says it is alive within its interval
        while json.loads(get(f"{base}/healthz")[2])["worker"] is None:
            assert time.monotonic() < deadline, "no heartbeat from the worker"
            time.sleep(0.5)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
