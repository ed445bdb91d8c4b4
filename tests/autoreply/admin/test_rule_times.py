"""The rule editor's "When" section (dates and the schedule table), the rule list's badge
and "active now", and trying a message at a chosen time: each against the live webhook."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from autoreply.models import Rule
from tests.autoreply.admin.test_admin import ADD, errors, rule_form
from tests.factories import text_rule
from tests.wechat_client import text

SHANGHAI = ZoneInfo("Asia/Shanghai")
TRY = "/admin/autoreply/rule/try/"


@pytest.fixture(autouse=True)
def _shanghai(settings):
    settings.TIME_ZONE = "Asia/Shanghai"


def at(local: str) -> int:
    return int(datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).timestamp())


def schedule_rows(*rows: tuple[str, str, str]) -> dict[str, list[str]]:
    """The schedule table's POST data: one list per column, blank rows included."""
    rows = (*rows, ("", "", ""))
    return {
        f"schedule-{key}": [row[i] for row in rows] for i, key in enumerate(("days", "from", "to"))
    }


def test_a_rule_saved_with_hours_and_dates_answers_by_create_time(operator, bot, acme):
    data = rule_form(
        acme,
        "office",
        keywords=[("contains", "hello")],
        replies=[{"type": "text", "content": "Hello from the office."}],
        active_from_0="2027-01-01",
        active_from_1="00:00:00",
    )
    data.update(schedule_rows(("mon-fri", "09:00", "18:00"), ("sat", "22:00", "02:00")))
    response = operator.post(ADD, data)
    assert response.status_code == 302, errors(response)
    rule = Rule.objects.get(name="office")
    assert rule.schedule == [
        {"days": "mon-fri", "from": "09:00", "to": "18:00"},
        {"days": "sat", "from": "22:00", "to": "02:00"},
    ]
    assert rule.active_from == datetime(2027, 1, 1, tzinfo=SHANGHAI)
    assert bot.ask(text("hello", create_time=at("2027-01-04T10:00"))).content == (
        "Hello from the office."
    )
    assert bot.ask(text("hello", create_time=at("2027-01-10T01:00"))).content  # Sat night
    assert bot.ask(text("hello", create_time=at("2027-01-04T19:00"))) is None
    assert bot.ask(text("hello", create_time=at("2026-12-28T10:00"))) is None  # before


def test_the_editor_shows_the_schedule_as_a_table(operator, acme):
    rule = text_rule(
        acme,
        "office",
        "hi",
        ("exact", "hi"),
        schedule=[{"days": "mon-fri", "from": "09:00", "to": "18:00"}],
    )
    page = operator.get(f"/admin/autoreply/rule/{rule.pk}/change/").content.decode()
    table = re.search(r'<table class="schedule-table".*?</table>', page, re.S).group(0)
    assert 'name="schedule-days" value="mon-fri"' in table
    assert (
        'name="schedule-from" value="09:00"' in table
        and 'name="schedule-to" value="18:00"' in table
    )
    assert table.count('name="schedule-days"') == 4  # the entry and three blank rows
    assert "[{" not in page.split('class="schedule-table"')[0][-2000:]  # no JSON text box
    assert 'name="active_from_0"' in page and 'name="active_until_0"' in page


def test_blank_rows_are_dropped_and_an_empty_table_means_always(operator, bot, acme):
    rule = text_rule(
        acme,
        "office",
        "hi",
        ("exact", "hi"),
        schedule=[{"days": "mon", "from": "09:00", "to": "10:00"}],
    )
    data = rule_form(
        acme, "office", keywords=[("exact", "hi")], replies=[{"type": "text", "content": "hi"}]
    )
    data.update(schedule_rows())
    response = operator.post(f"/admin/autoreply/rule/{rule.pk}/change/", data)
    assert response.status_code == 302, errors(response)
    assert Rule.objects.get(pk=rule.pk).schedule == []
    assert bot.ask(text("hi", create_time=at("2027-01-09T03:00"))).content == "hi"


REFUSED = {
    "a day that does not parse": ([("mon-fry", "09:00", "18:00")], {}, "“mon-fry” are not days"),
    "an hour that does not parse": ([("mon", "25:00", "18:00")], {}, "“25:00” is not a time"),
    "from equal to to": ([("mon", "09:00", "09:00")], {}, "starts and ends at 09:00"),
    "a row without days": ([("", "09:00", "18:00")], {}, "Entry 1 has no “days”"),
    "until before from": (
        [],
        {
            "active_from_0": "2027-02-05",
            "active_from_1": "00:00",
            "active_until_0": "2027-01-28",
            "active_until_1": "00:00",
        },
        "A rule active until before it is active from would never answer",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_refused_on_save_next_to_the_field(operator, acme, case):
    rows, fields, message = REFUSED[case]
    data = rule_form(acme, "bad", **fields)
    data.update(schedule_rows(*rows))
    response = operator.post(ADD, data)
    assert response.status_code == 200
    assert message in errors(response)
    field = "schedule" if rows else "active_until"
    assert re.search(
        rf'class="[^"]*field-{field}[^"]*".*?{re.escape(message[:20])}',
        response.content.decode(),
        re.S,
    )
    assert not Rule.objects.filter(name="bad").exists()


def list_row(page: str, name: str) -> str:
    return next(row for row in re.findall(r"<tr.*?</tr>", page, re.S) if f">{name}</a>" in row)


def test_the_rule_list_shows_a_badge_and_whether_each_is_active_now(operator, acme):
    now = datetime.now(SHANGHAI)
    away = now + timedelta(hours=12)
    text_rule(acme, "always", "a", ("exact", "a"))
    text_rule(acme, "ended", "b", ("exact", "b"), active_until=now - timedelta(days=1))
    text_rule(acme, "started", "c", ("exact", "c"), active_from=now - timedelta(days=1))
    text_rule(
        acme,
        "all week",
        "d",
        ("exact", "d"),
        schedule=[{"days": "mon-sun", "from": "00:00", "to": "24:00"}],
    )
    text_rule(
        acme,
        "other hours",
        "e",
        ("exact", "e"),
        schedule=[
            {"days": "mon-sun", "from": f"{away.hour:02}:00", "to": f"{(away.hour + 1) % 24:02}:00"}
        ],
    )
    text_rule(acme, "off", "f", ("exact", "f"), enabled=False)
    page = operator.get("/admin/autoreply/rule/").content.decode()
    expected = {
        "always": True,
        "ended": False,
        "started": True,
        "all week": True,
        "other hours": False,
        "off": False,
    }
    for name, active in expected.items():
        row = list_row(page, name)
        icons = re.findall(r'icon-(yes|no)\.svg" alt="(True|False)"', row)
        assert icons[-1] == (("yes", "True") if active else ("no", "False")), (name, icons)
    assert "rule-when-badge" not in list_row(page, "always")
    assert "mon-sun 00:00–24:00" in list_row(page, "all week")
    assert "until " in list_row(page, "ended") and "from " in list_row(page, "started")


def test_try_a_message_at_a_chosen_time(operator, acme):
    text_rule(
        acme,
        "open",
        "Come in!",
        ("contains", "open"),
        priority=10,
        schedule=[{"days": "mon-fri", "from": "09:00", "to": "18:00"}],
    )
    text_rule(acme, "closed", "We open at 9.", ("contains", "open"))

    def tried(when: str) -> str:
        query = {"account": acme.pk, "kind": "text", "text": "open?", "at": when}
        return operator.get(TRY, query).content.decode()

    inside = tried("2027-01-04T10:00")
    assert re.search(r'id="trial-winner">Answered by\s*<a[^>]*><strong>open</strong>', inside)
    assert "Come in!" in inside and "Mon 2027-01-04 10:00:00 +0800" in inside
    assert (
        f"<CreateTime>{at('2027-01-04T10:00')}</CreateTime>".replace("<", "&lt;").replace(
            ">", "&gt;"
        )
        in inside
    )
    assert "trial-outside" not in inside
    outside = tried("2027-01-04T19:00")
    skipped = re.search(r'<ul id="trial-outside">(.*?)</ul>', outside, re.S).group(1)
    assert ">open</a>" in skipped and ">closed</a>" not in skipped
    assert re.search(r'id="trial-winner">Answered by\s*<a[^>]*><strong>closed</strong>', outside)
    assert "We open at 9." in outside
    now = operator.get(TRY, {"account": acme.pk, "kind": "text", "text": "open?"}).content.decode()
    assert datetime.now(SHANGHAI).strftime("%Y-%m-%d") in now  # no time given: now
