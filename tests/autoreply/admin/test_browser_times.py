"""Rules that know the time, in a real browser: an operator gives a rule office hours in
the editor's schedule table, sees it in the rule list, tries a message inside and outside
those hours, and the live webhook (gunicorn) answers by each push's CreateTime."""

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from tests.autoreply.admin.test_browser import browser, log_in  # noqa: F401  (a fixture)
from tests.factories import account, text_rule
from tests.gunicorn_server import gunicorn, post
from tests.wechat_client import signed_query, text

pytestmark = pytest.mark.django_db(transaction=True)
SHANGHAI = ZoneInfo("Asia/Shanghai")  # DJANGO_TIME_ZONE's default, which gunicorn runs with


def at(local: str) -> int:
    return int(datetime.fromisoformat(local).replace(tzinfo=SHANGHAI).timestamp())


def test_office_hours_in_the_editor_the_list_the_try_page_and_the_webhook(
    browser,  # noqa: F811
    static_root,
):
    acme = account("acme")
    text_rule(acme, "closed", "We are closed; we open at 9:00.", ("contains", "open"))
    User.objects.create_superuser("operator", password="a long pass phrase")
    with gunicorn(
        workers=1, DJANGO_STATIC_ROOT=str(static_root), DJANGO_TIME_ZONE="Asia/Shanghai"
    ) as base:
        page = browser.new_page()
        log_in(page, base)
        create_scheduled_rule(page, base, acme.pk)
        assert "mon-fri 09:00–18:00" in page.inner_text("#result_list")
        assert try_at(page, base, acme.pk, "2027-01-04T10:00") == "open"
        assert try_at(page, base, acme.pk, "2027-01-04T20:00") == "closed"

        def webhook() -> str:  # each push signed with a nonce of its own, as WeChat does
            return f"{base}/wechat/acme/?{urlencode(signed_query('spamtest'))}"

        inside = post(webhook(), text("open?", create_time=at("2027-01-04T10:00")))
        outside = post(webhook(), text("open?", create_time=at("2027-01-04T20:00")))
    assert inside[0] == 200 and b"Come in!" in inside[1]
    assert outside[0] == 200 and b"we open at 9:00" in outside[1]


def create_scheduled_rule(page, base: str, account_id: int) -> None:
    page.goto(f"{base}/admin/autoreply/rule/add/")
    page.select_option("#id_account", str(account_id))
    page.fill("#id_name", "open")
    page.fill("#id_priority", "10")
    page.select_option("#id_msg_type", "text")
    rows = page.locator("#id_schedule tbody tr")
    assert rows.count() == 3  # a table of days and hours, three blank rows to fill
    first = rows.nth(0)
    first.locator("input[name='schedule-days']").fill("mon-fry")
    first.locator("input[name='schedule-from']").fill("09:00")
    first.locator("input[name='schedule-to']").fill("18:00")
    page.get_by_text("Add another Keyword").click()
    page.select_option("select[name='keywords-0-mode']", "contains")
    page.fill("input[name='keywords-0-pattern']", "open")
    page.get_by_text("Add another Reply").click()
    page.fill("textarea[name='replies-0-content']", "Come in!")
    page.click("input[name='_save']")
    assert "“mon-fry” are not days" in page.inner_text(".field-schedule")  # refused, said where
    page.locator("#id_schedule input[name='schedule-days']").first.fill("mon-fri")
    page.click("input[name='_save']")
    page.wait_for_url(f"{base}/admin/autoreply/rule/")
    assert "was added successfully" in page.content()


def try_at(page, base: str, account_id: int, local: str) -> str:
    """The name of the rule the try page says answers "open?" sent at `local`."""
    page.goto(f"{base}/admin/autoreply/rule/try/")
    page.select_option("#id_account", str(account_id))
    page.fill("#id_text", "open?")
    page.fill("#id_at", local)
    page.click("input[name='try']")
    page.wait_for_selector("#trial-result")
    return page.inner_text("#trial-winner strong")
