"""A regex keyword that cannot compile is refused wherever rules come in (model, admin,
rules file) naming the field; one that reached the database anyway is left out at load
time, the account's other rules and its URL check still answering; one that may be slow
is saved with a warning."""

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from autoreply.files.schema import RulesFileError
from autoreply.models import Keyword, Rule
from autoreply.rules import loading
from autoreply.validation import check_keyword, keyword_warnings
from tests.autoreply.admin.test_admin import ADD, errors, rule_form
from tests.factories import text_rule
from tests.wechat_client import signed_query

UNCOMPILABLE = ["a{4294967296}", "(" * 200_000, "[unclosed", r"(?P<1>x)"]


@pytest.mark.parametrize("pattern", UNCOMPILABLE, ids=["huge repeat", "deep", "unclosed", "name"])
def test_any_compile_failure_is_a_validation_error_on_the_pattern(pattern):
    with pytest.raises(ValidationError) as refused:
        check_keyword(Keyword(mode="regex", pattern=pattern))
    assert list(refused.value.message_dict) == ["pattern"]
    assert "does not compile" in refused.value.message_dict["pattern"][0]


def test_the_rule_editor_refuses_a_huge_repeat_next_to_the_field(operator, acme):
    data = rule_form(acme, "bad", keywords=[("regex", "a{4294967296}")], replies=[])
    response = operator.post(ADD, data)
    assert response.status_code == 200
    assert "does not compile" in errors(response)
    assert not Rule.objects.filter(name="bad").exists()


def rules_file(pattern: str) -> dict:
    keywords = [{"mode": "regex", "pattern": pattern}]
    rules = [
        {"name": "broken", "keywords": keywords, "replies": [{"type": "text", "content": "x"}]}
    ]
    return {"accounts": [{"slug": "acme", "rules": rules}]}


def test_import_rules_names_the_rule_and_field_and_writes_nothing(acme, tmp_path):
    from autoreply.files.rules_import import import_rules

    with pytest.raises(RulesFileError) as refused:
        import_rules(rules_file("a{4294967296}"))
    message = str(refused.value)
    assert "rule 'broken'" in message and "pattern" in message and "does not compile" in message
    path = tmp_path / "rules.json"
    path.write_text(__import__("json").dumps(rules_file("x{99999999999999999999}")))
    with pytest.raises(CommandError, match="does not compile"):
        call_command("import_rules", str(path))
    assert not Rule.objects.filter(name="broken").exists()


@pytest.mark.parametrize("pattern", ["a{4294967296}", "x{99999999999999999999}", "(" * 499])
def test_a_stored_bad_regex_leaves_out_its_rule_and_the_account_answers(bot, acme, pattern):
    broken = text_rule(acme, "broken", "never", ("regex", "x"), priority=9)
    Keyword.objects.filter(rule=broken).update(pattern=pattern)  # past validation, as psql would
    text_rule(acme, "hello", "hi there", ("contains", "hello"))
    assert [spec.name for spec in loading.load_index(acme.pk).rules] == ["hello"]
    assert bot.say("hello").content == "hi there"
    query = signed_query(acme.token, echostr="e42")
    assert bot.get(query).content == b"e42"


WARNED = [r"^(\w+\s?)+$", r"(a+)+b", r"^(\d*)*$", r"(?:x|\w+)*y"]
QUIET = [r"^(\d+-\d+)$", r"(?i)^hello\b", r"order (\d+)", r"^[?？]\s*(\d+-\d+)$", "a{2,5}b"]


@pytest.mark.parametrize("pattern", WARNED)
def test_nested_repeats_are_warned_about(pattern):
    (warning,) = keyword_warnings(Keyword(mode="regex", pattern=pattern))
    assert "repeat inside a repeat" in warning and pattern in warning


@pytest.mark.parametrize("pattern", QUIET)
def test_ordinary_patterns_are_not_warned_about(pattern):
    assert keyword_warnings(Keyword(mode="regex", pattern=pattern)) == []
    assert keyword_warnings(Keyword(mode="contains", pattern="(a+)+")) == []


def test_the_rule_editor_saves_a_slow_pattern_with_a_warning(operator, acme):
    data = rule_form(acme, "slow", keywords=[("regex", r"^(\w+\s?)+$")], replies=[])
    page = operator.post(ADD, data, follow=True).content.decode()
    assert "repeat inside a repeat" in page
    assert Rule.objects.filter(name="slow").exists()
