"""Fixtures of the Django app's tests: the demo account, a rule-less account, and a
client that speaks like WeChat's servers (signed, optionally encrypted) to the real WSGI
app. (tests/wechat needs none of this: it runs without Django.)"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.wechat_client import VECTORS, WeChatClient


def pytest_configure() -> None:
    from django.conf import settings

    # Commands run in a subprocess read English too, like the in-process tests below.
    os.environ.setdefault("DJANGO_LANGUAGE_CODE", "en")

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)  # whitenoise looks there


@pytest.fixture
def vectors() -> dict:
    return json.loads(VECTORS.read_text())


@pytest.fixture(autouse=True)
def _in_english(settings):
    """The tests read the admin in English, as a browser set to English does; the
    language tests (admin/test_language.py) ask for Chinese, the default, explicitly."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _in_process(settings, tmp_path):
    """In-process tests see every rule change on the next request, and the webhook writes
    through the test's own connection: Django's test transaction is per connection, so
    the separate `webhook` connection would not see the test's data. (Tests that start
    gunicorn use the real `webhook` connection.)"""
    settings.AUTOREPLY_REFRESH_SECONDS = 0
    settings.AUTOREPLY_WEBHOOK_DATABASE = "default"
    settings.AUTOREPLY_SPOOL_DIR = str(tmp_path / "spool")  # never the checkout's own spool
    # Admin pages name static files; without collectstatic there is no manifest to ask.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def demo(db):
    """The demo account and its sample rules, from fixtures/demo.json."""
    from autoreply.models import Account

    call_command("loaddata", "demo", verbosity=0)
    return Account.objects.get(slug="demo")


@pytest.fixture
def wechat(demo) -> WeChatClient:
    return WeChatClient(demo)


@pytest.fixture
def acme(db):
    """An account with no rules yet (the demo's credentials, slug `acme`)."""
    from tests import factories

    return factories.account("acme")


@pytest.fixture
def operator(client, db):
    """Django's test client, logged in as a superuser named `operator`."""
    from django.contrib.auth.models import User

    User.objects.create_superuser("operator", password="a long pass phrase")
    client.login(username="operator", password="a long pass phrase")
    return client


@pytest.fixture
def bot(acme) -> WeChatClient:
    """WeChat's servers, speaking to the rule-less `acme` account."""
    return WeChatClient(acme)


@pytest.fixture(scope="session")
def static_root(tmp_path_factory) -> Path:
    """The admin's static files, collected as production serves them (whitenoise)."""
    from tests.gunicorn_server import ROOT

    root = tmp_path_factory.mktemp("static")
    env = {**os.environ, "DJANGO_STATIC_ROOT": str(root)}
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    return root
