"""The zh_Hans catalogue: every string the code marks is in it, translated, none fuzzy,
and the committed .mo is the .po compiled (a fresh clone needs no compilemessages).

After marking new strings: `python manage.py makemessages -l zh_Hans --ignore=.venv
--ignore=bench --ignore=tests --ignore=.local --no-obsolete --add-location=file` (file
names only: line numbers would change the catalogue with every edit), translate every new
msgid in autoreply/locale/zh_Hans/LC_MESSAGES/django.po, then `python manage.py
compilemessages --ignore=.venv --ignore=.local`.
"""

import os
import shutil
import subprocess
import sys

import polib
import pytest

from tests.gunicorn_server import ROOT

LOCALE = ROOT / "autoreply" / "locale" / "zh_Hans" / "LC_MESSAGES"
PO, MO = LOCALE / "django.po", LOCALE / "django.mo"
# What makemessages reads: the code and templates, without the catalogue itself.
SOURCES = ("autoreply", "wechat", "config", "manage.py")


def translations(catalogue) -> dict[tuple[str, str], tuple[str, ...]]:
    """(msgid, msgid_plural) -> the translation(s), for a .po or .mo alike."""
    return {
        (entry.msgid, entry.msgid_plural): (
            tuple(entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural))
            if entry.msgid_plural
            else (entry.msgstr,)
        )
        for entry in catalogue
        if entry.msgid and not entry.obsolete
    }


def test_every_msgid_is_translated_and_none_is_fuzzy():
    po = polib.pofile(str(PO))
    assert len(po) > 150  # the project's own strings, not an empty catalogue
    assert [entry.msgid for entry in po.untranslated_entries()] == []
    assert [entry.msgid for entry in po.fuzzy_entries()] == []
    assert not po.metadata_is_fuzzy
    assert po.metadata["Language"] == "zh_Hans"
    for msgid_and_plural, texts in translations(po).items():
        assert all(text.strip() for text in texts), msgid_and_plural


def test_the_committed_mo_is_the_po_compiled():
    assert translations(polib.mofile(str(MO))) == translations(polib.pofile(str(PO)))


def test_placeholders_survive_translation():
    """msgfmt --check: every %(name)s of a msgid is in its translation, and no other."""
    if shutil.which("msgfmt") is None:
        pytest.fail("GNU gettext's msgfmt is needed (Debian: apt-get install gettext)")
    done = subprocess.run(
        ["msgfmt", "--check", "-o", os.devnull, str(PO)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_the_catalogue_holds_every_string_the_code_marks(tmp_path):
    """makemessages run on a copy of the code finds no msgid the catalogue lacks."""
    if shutil.which("xgettext") is None:
        pytest.fail("GNU gettext's xgettext is needed (Debian: apt-get install gettext)")
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", "*.po", "*.mo")
            shutil.copytree(source, tmp_path / name, ignore=ignore)
        else:
            shutil.copy(source, tmp_path / name)
    done = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    found = polib.pofile(str(tmp_path / PO.relative_to(ROOT)))
    ours = translations(polib.pofile(str(PO)))
    missing = sorted(key for key in translations(found) if key not in ours)
    assert missing == [], "marked in the code, not in the catalogue: run makemessages"
    unused = sorted(key for key in ours if key not in translations(found))
    assert unused == [], "in the catalogue, marked nowhere: run makemessages --no-obsolete"
