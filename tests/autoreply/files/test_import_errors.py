"""Every import refuses a file the same way: one exception base carrying the problems."""

import pytest

from autoreply.errors import ImportRefused
from autoreply.files import platform, schema, spreadsheets
from autoreply.files.lookup_import import LookupFileError


@pytest.mark.parametrize(
    "error",
    [schema.RulesFileError, platform.PlatformFileError, LookupFileError],
)
def test_each_file_error_is_an_import_refused_with_its_problems(error):
    raised = error(["first problem", "second problem"])
    assert isinstance(raised, ImportRefused)
    assert raised.problems == ["first problem", "second problem"]
    assert str(raised) == "first problem\nsecond problem"


def test_a_csv_error_carries_its_one_problem():
    raised = spreadsheets.CsvFileError("parts.csv, row 2: the value is empty")
    assert isinstance(raised, ImportRefused)
    assert raised.problems == ["parts.csv, row 2: the value is empty"]


def test_the_platform_converter_reports_every_problem_at_once():
    answer = {"is_autoreply_open": 2, "message_default_autoreply_info": {"type": "sticker"}}
    with pytest.raises(ImportRefused) as caught:
        platform.convert(answer, "demo")
    assert len(caught.value.problems) == 2
    assert any("is_autoreply_open" in problem for problem in caught.value.problems)


def test_the_rules_schema_reports_every_problem_at_once():
    document = {"accounts": [{"slug": "a", "rules": [{"name": "r", "priority": "high"}, {}]}]}
    with pytest.raises(ImportRefused) as caught:
        schema.accounts(document)
    assert caught.value.problems == [
        "account 'a', rules[0], priority: expected a whole number, got 'high'",
        "account 'a', rules[1], name: required",
    ]
