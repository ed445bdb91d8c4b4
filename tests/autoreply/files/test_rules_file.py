"""import_rules / export_rules: the rules file of DESIGN.md, through the real commands."""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from autoreply.models import SECRET_FIELDS, Account, LookupEntry, Rule
from tests.factories import DEMO_KEY

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export_rules", *args, stdout=out)
    return out.getvalue()


def import_file(tmp_path, document, *args: str) -> str:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("import_rules", str(path), *args, stdout=out)
    return out.getvalue()


def contract_example() -> dict:
    """The example of DESIGN.md's "Rules file" section."""
    return {
        "accounts": [
            {
                "slug": "demo",
                "name": "Demo account",
                "app_id": "wx2c2769f8efd9abc2",
                "token": "spamtest",
                "encoding_aes_key": DEMO_KEY,
                "previous_encoding_aes_key": "",
                "encryption_mode": "compatible",
                "lookups": {"workpieces": {"18-546": "车体新厂房3号"}},
                "rules": [
                    {
                        "name": "opening hours",
                        "priority": 100,
                        "enabled": True,
                        "msg_type": "text",
                        "event": "",
                        "event_key": "",
                        "keywords": [
                            {"mode": "contains", "pattern": "营业时间"},
                            {"mode": "regex", "pattern": "^(hours|open)\\b"},
                        ],
                        "reply_mode": "random",
                        "cooldown_seconds": 0,
                        "replies": [{"type": "text", "content": "We open 9:00-18:00."}],
                    }
                ],
            }
        ]
    }


def test_the_contract_example_imports(db, tmp_path):
    import_file(tmp_path, contract_example())
    account = Account.objects.get(slug="demo")
    rule = account.rules.get()
    assert (rule.name, rule.priority, rule.msg_type) == ("opening hours", 100, "text")
    assert [k.pattern for k in rule.keywords.all()] == ["营业时间", "^(hours|open)\\b"]
    assert rule.replies.get().content == "We open 9:00-18:00."
    assert LookupEntry.objects.get().value == "车体新厂房3号"


def test_defaults_for_fields_left_out(db, tmp_path):
    document = contract_example()
    document["accounts"][0]["rules"] = [{"name": "minimal"}]
    import_file(tmp_path, document)
    rule = Rule.objects.get()
    assert (rule.enabled, rule.priority, rule.msg_type, rule.reply_mode, rule.cooldown_seconds) == (
        True,
        0,
        "any",
        "random",
        0,
    )
    assert not rule.keywords.exists() and not rule.replies.exists()


def test_export_import_export_is_byte_identical(demo, tmp_path):
    first = export("--with-secrets")
    Account.objects.all().delete()
    path = tmp_path / "demo.json"
    path.write_text(first, encoding="utf-8")
    call_command("import_rules", str(path), stdout=io.StringIO())
    assert export("--with-secrets") == first


def test_import_is_idempotent(demo, tmp_path):
    document = json.loads(export("--with-secrets"))
    before = demo.__class__.objects.get(pk=demo.pk).revision
    report = import_file(tmp_path, document)
    assert "11 unchanged" in report and "0 changed" in report  # the demo's 11 rules
    assert Account.objects.get(pk=demo.pk).revision == before  # nothing rewritten


def test_secrets_are_exported_only_when_asked(demo):
    plain = export()
    assert "spamtest" not in plain and DEMO_KEY not in plain
    assert '"token": "spamtest"' in export("--with-secrets")


def test_every_secret_field_and_only_those_is_held_back(demo):
    plain = json.loads(export())["accounts"][0]
    full = json.loads(export("--with-secrets"))["accounts"][0]
    assert set(full) - set(plain) == set(SECRET_FIELDS)


def test_exporting_an_unknown_account_names_it(db):
    with pytest.raises(CommandError, match="no account with slug 'nope'"):
        call_command("export_rules", "--account", "nope")


def test_an_import_without_secrets_keeps_the_stored_ones(demo, tmp_path):
    document = json.loads(export())
    document["accounts"][0]["name"] = "Renamed"
    import_file(tmp_path, document)
    demo.refresh_from_db()
    assert (demo.name, demo.token, demo.encoding_aes_key) == ("Renamed", "spamtest", DEMO_KEY)


def test_export_one_account_to_a_file(demo, tmp_path):
    Account.objects.create(slug="other", name="Other", app_id="wx1234567890abcdef", token="tok")
    out = tmp_path / "out.json"
    call_command("export_rules", "--account", "demo", "--output", str(out))
    assert [a["slug"] for a in json.loads(out.read_text())["accounts"]] == ["demo"]


def test_upsert_changes_a_rule_and_keeps_the_others(demo, tmp_path):
    document = json.loads(export())
    rules = document["accounts"][0]["rules"]
    help_rule = next(r for r in rules if r["name"] == "help")
    help_rule["replies"] = [{"type": "text", "content": "New help"}]
    document["accounts"][0]["rules"] = [help_rule]
    report = import_file(tmp_path, document)
    assert "1 changed" in report
    assert demo.rules.count() == 11  # the demo's rules, none deleted
    assert demo.rules.get(name="help").replies.get().content == "New help"


def test_replace_deletes_rules_and_lookups_not_in_the_file(demo, tmp_path):
    document = json.loads(export())
    document["accounts"][0]["rules"] = document["accounts"][0]["rules"][:2]
    import_file(tmp_path, document, "--replace")
    assert demo.rules.count() == 2


def test_replace_drops_lookup_entries_and_tables(db, tmp_path):
    document = contract_example()
    document["accounts"][0]["lookups"] = {"a": {"1": "one", "2": "two"}, "b": {"x": "y"}}
    import_file(tmp_path, document)
    document["accounts"][0]["lookups"] = {"a": {"1": "uno"}}
    import_file(tmp_path, document, "--replace")
    assert list(LookupEntry.objects.values_list("table__name", "key", "value")) == [
        ("a", "1", "uno")
    ]


def bad(document_change) -> dict:
    document = contract_example()
    document_change(document["accounts"][0])
    return document


def rule0(account) -> dict:
    return account["rules"][0]


REJECTIONS = {
    "bad regex": (
        lambda a: rule0(a)["keywords"].append({"mode": "regex", "pattern": "(unclosed"}),
        "rule 'opening hours', keywords[2], pattern: This regular expression does not compile",
    ),
    "news over 8 articles": (
        lambda a: rule0(a).update(
            msg_type="event",
            event="subscribe",
            keywords=[],
            replies=[{"type": "news", "articles": [{"title": str(i)} for i in range(9)]}],
        ),
        "articles: This news reply has 9 articles",
    ),
    "two articles answering messages": (
        lambda a: rule0(a).update(
            replies=[{"type": "news", "articles": [{"title": "a"}, {"title": "b"}]}]
        ),
        "WeChat shows only 1 when answering a follower's message",
    ),
    "image without media_id": (
        lambda a: rule0(a).update(replies=[{"type": "image"}]),
        "replies[0], media_id: An image reply needs a media ID",
    ),
    "event rule without event": (
        lambda a: rule0(a).update(msg_type="event", keywords=[]),
        "rule 'opening hours', event: An event rule needs an event",
    ),
    "music without thumb": (
        lambda a: rule0(a).update(replies=[{"type": "music", "title": "x"}]),
        "thumb_media_id",
    ),
    "transfer on an event rule": (
        lambda a: rule0(a).update(
            msg_type="event",
            event="subscribe",
            keywords=[],
            replies=[{"type": "transfer_customer_service"}],
        ),
        "never events",
    ),
    "short aes key": (
        lambda a: a.update(encoding_aes_key="abc"),
        "account 'demo', encoding_aes_key: An EncodingAESKey is 43 characters",
    ),
    "aes key with a symbol": (
        lambda a: a.update(encoding_aes_key="+" * 43),
        "encoding_aes_key",
    ),
    "unknown field": (
        lambda a: rule0(a).update(priorty=5),
        "rules[0], priorty: unknown field",
    ),
    "wrong type": (
        lambda a: rule0(a).update(priority="high"),
        "priority: expected a whole number",
    ),
    "unknown msg_type": (
        lambda a: rule0(a).update(msg_type="telegram"),
        "msg_type",
    ),
    "keywords on an image rule": (
        lambda a: rule0(a).update(msg_type="image"),
        "Keywords only match text",
    ),
    "duplicate rule names": (
        lambda a: a["rules"].append(dict(rule0(a))),
        "rule 'opening hours': appears twice",
    ),
    "template that does not compile": (
        lambda a: rule0(a).update(replies=[{"type": "text", "content": "{% if %}"}]),
        "content: template error",
    ),
    "template that includes a file": (
        lambda a: rule0(a).update(replies=[{"type": "text", "content": "{% include 'x' %}"}]),
        "content: template error",
    ),
    "duplicate lookup keys": (
        lambda a: a.update(lookups={"t": {"ab": "1", "ＡＢ": "2"}}),
        "are the same key",
    ),
}


@pytest.mark.parametrize("name", REJECTIONS)
def test_rejections_name_the_place_and_write_nothing(demo, tmp_path, name):
    change, expected = REJECTIONS[name]
    before = export("--with-secrets")
    with pytest.raises(CommandError) as error:
        import_file(tmp_path, bad(change))
    assert expected in str(error.value)
    assert str(error.value).startswith("nothing imported")
    assert export("--with-secrets") == before


def test_a_new_account_needs_a_token(db, tmp_path):
    document = contract_example()
    del document["accounts"][0]["token"]
    with pytest.raises(CommandError, match="account 'demo', token: required for a new account"):
        import_file(tmp_path, document)


def test_all_or_nothing_across_accounts(db, tmp_path):
    good = contract_example()["accounts"][0]
    broken = {**good, "slug": "second", "rules": [{"name": "x", "msg_type": "nope"}]}
    with pytest.raises(CommandError):
        import_file(tmp_path, {"accounts": [good, broken]})
    assert not Account.objects.exists()


def test_not_json_is_a_clear_error(db, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(CommandError, match="is not valid JSON"):
        call_command("import_rules", str(path))


def test_a_missing_file_is_a_clear_error(db):
    with pytest.raises(CommandError, match=r"cannot read /nonexistent\.json"):
        call_command("import_rules", "/nonexistent.json")


def test_commands_exit_non_zero(db, tmp_path):
    import os
    import subprocess
    import sys

    from tests.gunicorn_server import test_database_url

    path = tmp_path / "broken.json"
    path.write_text('{"accounts": [{"slug": "x"}]}', encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "manage.py", "import_rules", str(path)],
        cwd=FIXTURES.parent,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": test_database_url()},
    )
    assert result.returncode != 0
    assert "name: required for a new account" in result.stderr
