"""import_lookup: key,value CSV files into an account's lookup table, all or nothing."""

import io
import time
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from autoreply.models import LookupEntry, LookupTable
from tests.factories import rule

DATA = Path(__file__).resolve().parents[2] / "data" / "csv"


def import_lookup(table: str, path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_lookup", table, str(path), "--account", "acme", *args, stdout=out)
    return out.getvalue()


def entries(table: str = "workpieces") -> dict[str, str]:
    return dict(LookupEntry.objects.filter(table__name=table).values_list("key", "value"))


def test_rows_become_entries_and_answer_through_a_rule(acme, bot):
    out = import_lookup("workpieces", DATA / "lookup__workpieces.csv")
    assert out == "lookup table acme/workpieces: 3 added, 0 changed, 0 removed, 0 unchanged\n"
    assert entries() == {"18-546": "车体新厂房3号", "18-547": "总装车间, 2号线", "A-100": "仓库B区"}
    rule(acme, "where", keywords=(("regex", r"^[?？]\s*(\S+)$"),),
         replies=('{{ match.1|lookup:"workpieces"|default:"unknown" }}',))  # fmt: skip
    assert bot.say("？a-100").content == "仓库B区"  # keys compare like exact keywords
    assert bot.say("?18-547").content == "总装车间, 2号线"


def test_reimport_upserts_and_replace_removes(acme, tmp_path):
    import_lookup("workpieces", DATA / "lookup__workpieces.csv")
    update = tmp_path / "update.csv"
    update.write_text("key,value\n18-546,车体新厂房3号\n18-547,总装车间 3号线\n19-1,新\n")
    out = import_lookup("workpieces", update)
    assert out.endswith(": 1 added, 1 changed, 0 removed, 1 unchanged\n")
    assert entries()["A-100"] == "仓库B区"  # kept without --replace
    out = import_lookup("workpieces", update, "--replace")
    assert out.endswith(": 0 added, 0 changed, 1 removed, 3 unchanged\n")
    assert entries() == {"18-546": "车体新厂房3号", "18-547": "总装车间 3号线", "19-1": "新"}


def test_duplicate_keys_name_both_and_import_nothing(acme):
    with pytest.raises(CommandError, match=r"rows 3 and 4: the keys 'a-100' and 'Ａ-100' are"):
        import_lookup("workpieces", DATA / "lookup__duplicate_keys.csv")
    assert not LookupEntry.objects.exists()


def test_a_bad_row_imports_nothing(acme, tmp_path):
    import_lookup("workpieces", DATA / "lookup__workpieces.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("18-546,moved\n18-999,\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"bad.csv, row 2: the value is empty"):
        import_lookup("workpieces", bad, "--replace")
    assert entries()["18-546"] == "车体新厂房3号"
    assert len(entries()) == 3


def test_a_bad_table_name_is_refused(acme):
    with pytest.raises(CommandError, match=r"table name 'work pieces': Letters, digits"):
        import_lookup("work pieces", DATA / "lookup__workpieces.csv")
    assert not LookupTable.objects.exists()


def test_an_overlong_key_is_refused(acme, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(f"ok,1\n{'k' * 256},2\n", encoding="utf-8")
    with pytest.raises(CommandError, match="longer than 255"):
        import_lookup("workpieces", path)
    assert not LookupEntry.objects.exists()


def test_a_hundred_thousand_rows_in_seconds(acme, tmp_path):
    path = tmp_path / "big.csv"
    rows = "".join(f"P-{n:06d},仓库{n % 97}区{n}号架\r\n" for n in range(100_000))
    path.write_bytes(("key,value\r\n" + rows).encode("gb18030"))
    started = time.monotonic()
    out = import_lookup("parts", path, "--quiet")
    first = time.monotonic() - started
    assert out.endswith(": 100000 added, 0 changed, 0 removed, 0 unchanged\n")
    assert LookupEntry.objects.filter(table__name="parts").count() == 100_000
    assert entries("parts")["P-099999"] == "仓库89区99999号架"
    started = time.monotonic()
    again = import_lookup("parts", path, "--replace", "--quiet")
    second = time.monotonic() - started
    assert again.endswith(": 0 added, 0 changed, 0 removed, 100000 unchanged\n")
    assert first < 10 and second < 10, f"{first:.1f} s and {second:.1f} s, not a few seconds"


def test_unknown_account(db):
    with pytest.raises(CommandError, match="no account with slug 'acme'"):
        import_lookup("workpieces", DATA / "lookup__workpieces.csv")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_only_for_large_files_on_a_terminal():
    from autoreply.files.spreadsheets import Row, progress

    rows = [Row(n, f"k{n}", "v") for n in range(1, 1_502)]
    terminal, pipe = Terminal(), io.StringIO()
    assert list(progress(rows, terminal, "reading")) == rows
    assert "reading:" in terminal.getvalue() and "/1501" in terminal.getvalue()
    assert list(progress(rows, pipe, "reading")) == rows
    assert list(progress(rows, None, "reading")) == rows
    assert list(progress(rows[:1000], terminal := Terminal(), "reading")) == rows[:1000]
    assert pipe.getvalue() == terminal.getvalue() == ""
