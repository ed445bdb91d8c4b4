"""Spreadsheets as operators save them: CSV with a comma, a tab or a semicolon, and Excel
workbooks (.xlsx), for import_faq and import_lookup alike."""

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from autoreply.files import spreadsheets, workbooks
from autoreply.models import LookupEntry, Rule

DATA = Path(__file__).resolve().parents[2] / "data" / "csv"


def import_faq(path: Path) -> str:
    out = io.StringIO()
    call_command("import_faq", str(path), "--account", "acme", "--quiet", stdout=out)
    return out.getvalue()


def import_lookup(path: Path) -> str:
    out = io.StringIO()
    call_command("import_lookup", "parts", str(path), "--account", "acme", stdout=out)
    return out.getvalue()


def answers() -> dict[str, str]:
    return {rule.name: rule.replies.get().content for rule in Rule.objects.all()}


def workbook(path: Path, *rows: tuple) -> Path:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_a_tab_delimited_file_even_with_commas_in_its_answers(acme):
    assert import_faq(DATA / "faq__tab.csv").startswith("FAQ rules: 2 created,")
    assert answers() == {
        "FAQ: 营业时间": "周一至周六 9:00-18:00, 周日休息",
        "FAQ: 运费": "满99元包邮, 不满收10元",
    }


def test_a_semicolon_delimited_file_with_quoted_semicolons(acme):
    import_faq(DATA / "faq__semicolon.csv")
    assert answers() == {
        "FAQ: 营业时间": "周一至周六 9:00-18:00, 周日休息",
        "FAQ: 退货; 换货": "7天内; 免费",
    }


def test_a_tab_delimited_lookup_table(acme):
    assert import_lookup(DATA / "lookup__tab.csv").endswith(
        ": 2 added, 0 changed, 0 removed, 0 unchanged\n"
    )
    assert dict(LookupEntry.objects.values_list("key", "value")) == {
        "18-546": "车体新厂房3号",
        "18-547": "总装车间, 2号线",
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b\nc,d\n", ","),
        ("a\tb\nc\td\n", "\t"),
        ("a;b\nc;d\n", ";"),
        ("a\tb, c\nd\te, f\n", "\t"),  # a tie: every row has one comma too
        ("a,b; c\nd,e; f\n", ","),  # a tie between comma and semicolon
        ("only one column\n", "\t"),  # no delimiter fits: "the answer is empty" follows
        ('"x;y",z\n', ","),
    ],
)
def test_the_delimiter_is_the_one_giving_two_cells(text, expected):
    assert spreadsheets.delimiter(text) == expected


def test_a_semicolon_row_with_a_third_cell_names_the_semicolon(tmp_path):
    path = tmp_path / "faq.csv"
    path.write_text("a;b\nc;d\ne;f;g\n", encoding="utf-8")
    with pytest.raises(
        spreadsheets.CsvFileError, match=r"row 3: .*found 3; put a cell that holds a semicolon"
    ):
        spreadsheets.read_rows(path, ("question", "answer"))


def test_a_workbook_as_excel_saves_it(acme):
    """Its first sheet only, a header and a blank row skipped, numbers as Excel shows them."""
    assert (
        import_faq(DATA / "faq__workbook.xlsx") == "FAQ rules: 3 created, 0 changed, 0 unchanged\n"
    )
    assert answers() == {
        "FAQ: 营业时间": "周一至周六 9:00-18:00\n周日休息",
        "FAQ: 运费": "满99元包邮",
        "FAQ: 18546": "3",
    }


def test_a_workbook_row_is_named_by_excel_s_row_number(acme, tmp_path):
    path = workbook(tmp_path / "faq.xlsx", ("question", "answer"), ("hi", "hello"), (), ("bye",))
    with pytest.raises(CommandError, match=r"faq.xlsx, row 4: the answer is empty"):
        import_faq(path)
    assert not Rule.objects.exists()


def test_a_workbook_with_a_third_column_says_to_keep_to_two(acme, tmp_path):
    path = workbook(tmp_path / "faq.xlsx", ("hi", "hello", "note"))
    with pytest.raises(
        CommandError, match=r"row 1: expected 2 cells .*found 3; keep to columns A and B"
    ):
        import_faq(path)


def test_a_workbook_into_a_lookup_table(acme, tmp_path):
    path = workbook(
        tmp_path / "parts.xlsx", ("key", "value"), ("18-546", "车体新厂房3号"), (19, 2.5)
    )
    import_lookup(path)
    assert dict(LookupEntry.objects.values_list("key", "value")) == {
        "18-546": "车体新厂房3号",
        "19": "2.5",
    }


def test_an_old_xls_or_a_locked_workbook_says_what_to_save_instead(acme, tmp_path):
    path = tmp_path / "faq.xls"
    path.write_bytes(workbooks.OLE_MAGIC + b"\0" * 512)
    with pytest.raises(
        CommandError, match=r"faq.xls is an Excel 97-2003 \(.xls\) or password-protected"
    ):
        import_faq(path)


def test_a_zip_that_is_not_a_workbook(acme, tmp_path):
    path = tmp_path / "faq.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"garbage" * 10)
    with pytest.raises(CommandError, match=r"faq.xlsx is not a readable Excel workbook"):
        import_faq(path)


@pytest.mark.parametrize(
    ("value", "text"),
    [(None, ""), (3.0, "3"), (2.5, "2.5"), (True, "TRUE"), ("x", "x")],
)
def test_cells_read_as_excel_shows_them(value, text):
    assert workbooks.cell_text(value) == text


def test_dates_read_as_excel_shows_them():
    import datetime as dt

    assert workbooks.cell_text(dt.datetime(2026, 5, 4)) == "2026-05-04"
    assert workbooks.cell_text(dt.datetime(2026, 5, 4, 9, 30)) == "2026-05-04 09:30:00"
