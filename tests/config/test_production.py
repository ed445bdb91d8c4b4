"""Production is safe by default and refuses to start on bad settings, as an engineer
deploying it would meet it: real processes, the environment as the README documents it."""

import os
import subprocess
import sys

import pytest

from tests.gunicorn_server import ROOT, free_port

PRODUCTION = {
    "DJANGO_ALLOWED_HOSTS": "wx.example.com",
    "DJANGO_SECRET_KEY": "a-production-key-of-fifty-characters-or-more-0123456789",
    "DJANGO_DEBUG": "0",
}


def run(args: list[str], **env: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    return subprocess.run(
        args, cwd=ROOT, env={**environment, **env}, capture_output=True, text=True, timeout=60
    )


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "manage.py", *args], **env)


def gunicorn(**env: str) -> subprocess.CompletedProcess[str]:
    bind = f"127.0.0.1:{free_port()}"
    args = ["-m", "gunicorn", "--config", "config/gunicorn.py", "--bind", bind]
    return run([sys.executable, *args, "config.wsgi:application"], **env)


def test_check_deploy_is_clean_under_the_documented_environment():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_and_hsts_is_on():
    code = (
        "from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    result = manage("shell", "-v", "0", "-c", code, **PRODUCTION)
    assert result.stdout.split() == ["True", "True", "31536000"], result.stderr


def test_secure_cookies_can_be_turned_off_explicitly():
    code = "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE)"
    result = manage("shell", "-v", "0", "-c", code, **PRODUCTION, DJANGO_SECURE_COOKIES="0")
    assert result.stdout.strip() == "False", result.stderr


def test_a_production_node_without_a_secret_key_refuses_to_start():
    env = {**PRODUCTION, "DJANGO_SECRET_KEY": ""}
    result = gunicorn(**env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr
    assert "every node" in result.stderr


@pytest.mark.parametrize(
    "setting, value, check",
    [
        ("WECHAT_REPLY_DEADLINE", "9", "autoreply.E001"),
        ("AUTOREPLY_REFRESH_SECONDS", "5", "autoreply.E002"),
        ("AUTOREPLY_LOOKUP_SOURCES", "{not json", "autoreply.E101"),
    ],
)
def test_bad_settings_stop_gunicorn_with_the_check_id(setting, value, check):
    result = gunicorn(**{setting: value})
    assert result.returncode != 0
    assert check in result.stderr, result.stderr[-2000:]


def test_bad_settings_stop_the_worker_with_the_check_id():
    result = manage("worker", WECHAT_REPLY_DEADLINE="9")
    assert result.returncode != 0
    assert "autoreply.E001" in result.stderr
