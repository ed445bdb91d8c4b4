"""An operator's first minutes in a real browser (Playwright driving Debian's Chromium):
log in, create a rule with a keyword and a text reply, try a message, then send that
message to the live webhook and get the reply."""

import os
import shutil
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.db import connections

from tests.factories import account
from tests.gunicorn_server import gunicorn, post
from tests.wechat_client import signed_query, text

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# As the machine's notes advise: no background traffic on a closed network.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls
    # stay sequential, which is what Django's guard is for.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(
            f"no Chromium at {CHROMIUM}: bin/test installs Debian's `chromium` "
            "package when run as root with apt-get; it could not here"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
        # Under Playwright's loop Django gave this test connections of their own; close
        # them here, in that context, or they outlive the test database.
        connections.close_all()


def test_create_try_and_answer(browser, static_root):
    acme = account("acme")
    User.objects.create_superuser("operator", password="a long pass phrase")
    with gunicorn(workers=2, DJANGO_STATIC_ROOT=str(static_root)) as base:
        page = browser.new_page()
        log_in(page, base)
        create_rule(page, base, acme.pk)
        try_message(page, base, acme.pk)
        query = urlencode(signed_query("spamtest"))
        status, reply = post(f"{base}/wechat/acme/?{query}", text("几点开门"))
    assert status == 200
    assert "我们九点开门".encode() in reply


def log_in(page, base: str, username: str = "operator") -> None:
    page.goto(f"{base}/admin/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "a long pass phrase")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/admin/")


def create_rule(page, base: str, account_id: int) -> None:
    page.goto(f"{base}/admin/autoreply/rule/add/")
    page.select_option("#id_account", str(account_id))
    page.fill("#id_name", "opening time")
    page.select_option("#id_msg_type", "text")
    page.get_by_text("Add another Keyword").click()
    page.select_option("select[name='keywords-0-mode']", "contains")
    page.fill("input[name='keywords-0-pattern']", "开门")
    page.get_by_text("Add another Reply").click()
    page.select_option("select[name='replies-0-type']", "image")  # the fields follow the type
    assert page.is_visible("input[name='replies-0-media_id']")
    assert page.is_hidden("textarea[name='replies-0-content']")
    page.select_option("select[name='replies-0-type']", "text")
    assert page.is_hidden("input[name='replies-0-media_id']")
    page.fill("textarea[name='replies-0-content']", "我们九点开门。")
    page.click("input[name='_save']")
    page.wait_for_url(f"{base}/admin/autoreply/rule/")
    assert "was added successfully" in page.content()


def try_message(page, base: str, account_id: int) -> None:
    page.get_by_text("Try a message").first.click()
    page.select_option("#id_account", str(account_id))
    page.fill("#id_text", "请问几点开门？")
    page.click("input[name='try']")
    page.wait_for_selector("#trial-result")
    assert "opening time" in page.inner_text("#trial-winner")
    assert "我们九点开门" in page.inner_text("#trial-phone")  # the bubble the follower sees
