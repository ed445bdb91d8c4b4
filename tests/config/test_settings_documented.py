"""Every environment variable the code reads is in README's Settings table, and the
table names none the code does not read."""

import re

from tests.gunicorn_server import ROOT

READ = re.compile(
    r"""(?:env\.\w+|os\.environ\.get|os\.environ\.setdefault)\(\s*["']([A-Z][A-Z0-9_]+)["']"""
)
ROW = re.compile(r"^\| `([A-Z][A-Z0-9_]+)` \|", re.M)
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE"}


def read_by_the_code() -> set[str]:
    sources = [*(ROOT / "config").glob("*.py"), *(ROOT / "autoreply").rglob("*.py")]
    found = {name for path in sources for name in READ.findall(path.read_text())}
    return found - NOT_SETTINGS


def documented() -> set[str]:
    readme = (ROOT / "README.md").read_text()
    table = readme.split("## Settings", 1)[1].split("\n## ", 1)[0]
    return set(ROW.findall(table))


def test_every_setting_the_code_reads_is_documented():
    assert read_by_the_code() - documented() == set()


def test_the_table_documents_only_real_settings():
    assert documented() - read_by_the_code() == set()
