"""The account dashboard: its figures over a known message log, and the admin page."""

import datetime as dt
import uuid
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from autoreply.models import Message
from autoreply.reports import stats
from tests import factories

SCRIPT = "<script>alert(1)</script>"
OUR_INDEXES = ("message_recent", "message_unanswered", "message_by_rule")


class Log:
    """A known message log for `acme`, laid out on local days counted back from today."""

    def __init__(self, account, other):
        self.account = account
        self.tz = timezone.get_default_timezone()
        self.today = timezone.localdate(timezone.now(), self.tz)
        self.help = factories.rule(account, "help")
        self.hours = factories.rule(account, "hours")
        self.other_rule = factories.rule(other, "help")
        self.rows: list[Message] = []
        self.other = other

    def at(self, days_ago: int, clock: str) -> dt.datetime:
        hour, minute = map(int, clock.split(":"))
        day = self.today - dt.timedelta(days=days_ago)
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def add(self, *args, **kwargs) -> None:
        self.rows.append(self.message(*args, **kwargs))

    def message(self, days_ago, clock, status, text="", rule=None, msg_type="text", account=None):
        return Message(
            account=account or self.account,
            dedup_key=uuid.uuid4(),
            from_user="oFollower1",
            to_user="gh_acme",
            create_time=0,
            msg_type=msg_type,
            event="subscribe" if msg_type == "event" else "",
            text=text,
            raw_xml="<xml/>",
            received_at=self.at(days_ago, clock),
            status=status,
            rule=rule,
        )

    def noon(self) -> dt.datetime:
        return self.at(0, "12:00")


@pytest.fixture
def log(acme):
    log = Log(acme, factories.account("other"))
    # today
    log.add(0, "09:00", "reply", "help", log.help)
    log.add(0, "10:00", "reply", "help me", log.help)
    log.add(0, "11:00", "no_rule", "价格？")
    log.add(0, "12:00", "no_rule", SCRIPT)
    # 1 day ago: nothing
    log.add(2, "08:00", "no_rule", "ＰＲＩＣＥ")  # full-width
    log.add(2, "09:00", "no_rule", "price")
    log.add(2, "10:00", "no_rule", " Price\n")
    log.add(2, "11:00", "reply", "hours", log.hours)
    log.add(2, "12:00", "silence", "help", log.help)
    log.add(2, "13:00", "no_rule", "price", msg_type="voice")  # not a text message
    log.add(2, "14:00", "no_rule", msg_type="event")
    log.add(3, "10:00", "deadline", "slow?")
    log.add(3, "11:00", "error", "boom")
    log.add(3, "12:00", "no_rule", "Straße")  # SQL's lower() keeps ß; casefold makes it ss
    log.add(3, "13:00", "no_rule", "STRASSE")
    # 4 and 5 days ago: nothing
    log.add(6, "00:30", "reply", "hours", log.hours)  # still the 6th local day back in UTC+8
    log.add(7, "23:30", "no_rule", "PRICE")  # outside 7 days, inside 30
    log.add(40, "12:00", "reply", "help", log.help)  # outside 30 days, inside 90
    log.add(0, "09:30", "reply", "help", log.other_rule, account=log.other)
    log.add(0, "09:40", "no_rule", "price", account=log.other)
    Message.objects.bulk_create(log.rows)
    return log


def week(log):
    return stats.figures(log.account.pk, stats.last_days(7, now=log.noon()))


def test_messages_per_day_count_every_local_day_of_the_period(log):
    figures = week(log)
    days = [log.today - dt.timedelta(days=back) for back in range(6, -1, -1)]
    assert figures.per_day == list(zip(days, [1, 0, 0, 4, 7, 0, 4], strict=True))
    assert figures.total == 16


def test_longer_periods_reach_further_back(log):
    month = stats.figures(log.account.pk, stats.last_days(30, now=log.noon()))
    quarter = stats.figures(log.account.pk, stats.last_days(90, now=log.noon()))
    assert (len(month.per_day), month.total) == (30, 17)
    assert (len(quarter.per_day), quarter.total) == (90, 18)
    assert month.per_day[0][0] == log.today - dt.timedelta(days=29)
    assert month.unmatched[0].count == 4  # the PRICE of 7 days ago joins the group


def test_status_shares_count_and_percent_every_status(log):
    shares = {share.status: (share.count, share.percent) for share in week(log).statuses}
    assert shares == {
        "pending": (0, 0.0),
        "reply": (4, 25.0),
        "silence": (1, 6.2),
        "no_rule": (9, 56.2),
        "deadline": (1, 6.2),
        "error": (1, 6.2),
    }
    assert [share.label for share in week(log).statuses][1] == "answered by a rule"
    assert (week(log).answered, week(log).answered_percent) == (5, 31.2)


def test_top_rules_by_hits_with_their_last_hit(log):
    top = week(log).top_rules
    assert [(rule.rule_id, rule.name, rule.hits) for rule in top] == [
        (log.help.pk, "help", 3),
        (log.hours.pk, "hours", 2),
    ]
    assert [rule.last for rule in top] == [log.at(0, "10:00"), log.at(2, "11:00")]


def test_unmatched_texts_are_grouped_as_keywords_compare_them(log):
    unmatched = week(log).unmatched
    assert [(item.text, item.count, item.last) for item in unmatched] == [
        ("Price", 3, log.at(2, "10:00")),  # ＰＲＩＣＥ, price, " Price\n"; voice not counted
        ("STRASSE", 2, log.at(3, "13:00")),  # Straße joins it in Python
        (SCRIPT, 1, log.at(0, "12:00")),
        ("价格？", 1, log.at(0, "11:00")),
    ]


def test_an_account_without_messages_has_empty_figures(acme):
    figures = stats.figures(acme.pk, stats.last_days(7))
    assert [count for _, count in figures.per_day] == [0] * 7
    assert {share.percent for share in figures.statuses} == {0.0}
    assert (figures.total, figures.answered_percent, figures.per_day_average) == (0, 0.0, 0.0)
    assert figures.top_rules == figures.unmatched == []


def test_queries_use_the_account_indexes(log):
    """On a log with a long past the planner reads only the period, through the indexes."""
    old = (100 + n // 50 for n in range(10_000))
    Message.objects.bulk_create(log.message(days, "12:00", "no_rule", "old") for days in old)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE autoreply_message")
    with CaptureQueriesContext(connection) as queries:
        stats.figures(log.account.pk, stats.last_days(90))
    assert len(queries) == 3
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned anyway
        for query in queries:
            cursor.execute("EXPLAIN " + query["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "Seq Scan on autoreply_message" not in plan
            assert any(name in plan for name in OUR_INDEXES), plan


# The admin page


def dashboard_url(account, **query) -> str:
    url = reverse("admin:autoreply_account_dashboard", args=[account.pk])
    return f"{url}?{urlencode(query)}" if query else url


@pytest.fixture
def admin_client(client, db):
    client.force_login(User.objects.create_superuser("admin", password="pw"))
    return client


def test_the_page_shows_charts_tables_and_links(log, admin_client, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):  # session, user, account, and the three figures
        response = admin_client.get(dashboard_url(log.account))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 2
    assert page.count('<rect class="bar"') == 30
    assert reverse("admin:autoreply_rule_change", args=[log.help.pk]) in page
    add = reverse("admin:autoreply_rule_add")
    prefilled = "name=Price&amp;msg_type=text&amp;keyword=Price&amp;keyword_mode=exact"
    assert f'href="{add}?account={log.account.pk}&amp;{prefilled}"' in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert SCRIPT not in page
    assert "No rule matched" in page


def test_the_period_parameter_chooses_the_days(log, admin_client):
    page = admin_client.get(dashboard_url(log.account, days=7)).content.decode()
    assert page.count('<rect class="bar"') == 7
    assert '<option value="7" selected>' in page
    assert "is not a period" not in page


@pytest.mark.parametrize("days", ["abc", "8", "", "-7", "<b>30</b>"])
def test_a_bad_period_gets_the_default_and_a_message(log, admin_client, days):
    response = admin_client.get(dashboard_url(log.account, days=days))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<rect class="bar"') == stats.DEFAULT_DAYS
    assert "is not a period this page offers" in page
    assert "<b>30</b>" not in page


def test_an_account_without_messages_renders_empty_charts(
    acme, admin_client, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        response = admin_client.get(dashboard_url(acme))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<rect class="bar"') == 30
    assert page.count('height="0">') == 30  # every day drawn, as an empty bar
    assert page.count(">No data</text>") == 1  # the shares: nothing to share
    assert "No rule answered in this period." in page


def test_an_unknown_account_is_not_found(admin_client):
    assert (
        admin_client.get(reverse("admin:autoreply_account_dashboard", args=[999])).status_code
        == 404
    )


def test_people_who_are_not_staff_are_sent_to_the_login(acme, client):
    url = dashboard_url(acme)
    assert client.get(url)["Location"].startswith(reverse("admin:login"))
    client.force_login(User.objects.create_user("follower", password="pw"))
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('admin:login')}?next={url}"


def test_staff_without_view_permission_are_refused(acme, client):
    client.force_login(User.objects.create_user("intern", password="pw", is_staff=True))
    assert client.get(dashboard_url(acme)).status_code == 403
