"""`active_from`, `active_until` and `schedule` in the rules file: defaults, the round
trip, and refusals naming the account, the rule and the field."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError

from autoreply.models import Rule
from tests.autoreply.files.test_rules_file import contract_example, export, import_file

SHANGHAI = ZoneInfo("Asia/Shanghai")
OFFICE = [{"days": "mon-fri", "from": "09:00", "to": "18:00"}]


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


def with_rule(**fields) -> dict:
    document = contract_example()
    document["accounts"][0]["rules"][0].update(fields)
    return document


def exported_rule() -> dict:
    return json.loads(export("--with-secrets"))["accounts"][0]["rules"][0]


def test_left_out_they_mean_always(db, tmp_path):
    import_file(tmp_path, contract_example())
    rule = Rule.objects.get()
    assert (rule.active_from, rule.active_until, rule.schedule) == (None, None, [])
    exported = exported_rule()
    assert (exported["active_from"], exported["active_until"], exported["schedule"]) == (
        None,
        None,
        [],
    )
    keys = list(exported)
    assert keys.index("cooldown_seconds") < keys.index("active_from") < keys.index("replies")


def test_imported_and_exported(db, tmp_path):
    schedule = [*OFFICE, {"days": "fri,sat", "from": "22:00", "to": "02:00"}]
    import_file(
        tmp_path,
        with_rule(
            active_from="2027-01-28T00:00",  # no offset: DJANGO_TIME_ZONE
            active_until="2027-02-05T00:00:00+00:00",
            schedule=schedule,
        ),
    )
    rule = Rule.objects.get()
    assert rule.active_from == datetime(2027, 1, 28, tzinfo=SHANGHAI)
    assert rule.active_until == datetime(2027, 2, 5, 8, tzinfo=SHANGHAI)
    assert rule.schedule == schedule
    exported = exported_rule()
    assert exported["active_from"] == "2027-01-28T00:00:00+08:00"
    assert exported["active_until"] == "2027-02-05T08:00:00+08:00"
    assert exported["schedule"] == schedule


def test_export_import_export_is_byte_identical(db, tmp_path):
    import_file(
        tmp_path,
        with_rule(active_from="2027-01-28T09:30", schedule=OFFICE, active_until=None),
    )
    first = export("--with-secrets")
    Rule.objects.all().delete()
    (tmp_path / "again.json").write_text(first, encoding="utf-8")
    import_file(tmp_path, json.loads(first))
    assert export("--with-secrets") == first


def test_the_same_time_in_other_words_imports_as_unchanged(db, tmp_path):
    import_file(tmp_path, with_rule(active_from="2027-01-28T00:00", schedule=OFFICE))
    report = import_file(tmp_path, with_rule(active_from="2027-01-27T16:00:00Z", schedule=OFFICE))
    assert "1 unchanged" in report and "0 changed" in report
    report = import_file(tmp_path, with_rule(active_from="2027-01-28T01:00", schedule=OFFICE))
    assert "1 changed" in report


REJECTIONS = {
    "until before from": (
        {"active_from": "2027-02-05T00:00", "active_until": "2027-01-28T00:00"},
        "rule 'opening hours', active_until: A rule active until before it is active from",
    ),
    "until equal to from": (
        {"active_from": "2027-02-05T00:00", "active_until": "2027-02-05T00:00"},
        "active_until:",
    ),
    "not a date-time": (
        {"active_from": "next monday"},
        "rule 'opening hours', active_from: 'next monday' is not an ISO 8601 date-time",
    ),
    "a date-time that is not text": ({"active_until": 1700000000}, "active_until: expected text"),
    "an empty schedule entry": ({"schedule": [{}]}, "schedule: Entry 1 is empty"),
    "a day that does not parse": (
        {"schedule": [*OFFICE, {"days": "mon-fry", "from": "09:00", "to": "18:00"}]},
        "schedule: Entry 2: “mon-fry” are not days",
    ),
    "an hour that does not parse": (
        {"schedule": [{"days": "mon", "from": "25:00", "to": "18:00"}]},
        "schedule: Entry 1: “25:00” is not a time for “from”",
    ),
    "from equal to to": (
        {"schedule": [{"days": "mon", "from": "09:00", "to": "09:00"}]},
        "schedule: Entry 1 starts and ends at 09:00",
    ),
    "a missing time": (
        {"schedule": [{"days": "mon", "from": "09:00"}]},
        "schedule: Entry 1 has no “to”",
    ),
    "an entry that is not an object": ({"schedule": ["mon-fri 9-18"]}, "schedule: entry 1"),
    "an unknown key in an entry": (
        {"schedule": [{"days": "mon", "from": "09:00", "to": "18:00", "tz": "UTC"}]},
        "schedule: entry 1: days, from and to are text; no other keys",
    ),
    "a schedule that is not a list": ({"schedule": "mon-fri"}, "schedule: expected a list"),
}


@pytest.mark.parametrize("name", REJECTIONS)
def test_refusals_name_the_rule_and_field_and_write_nothing(db, tmp_path, name):
    fields, expected = REJECTIONS[name]
    with pytest.raises(CommandError) as error:
        import_file(tmp_path, with_rule(**fields))
    assert expected in str(error.value)
    assert "account 'demo'" in str(error.value)
    assert not Rule.objects.exists()
