"""Conversations in a real browser: an operator makes 查询工件 start a conversation in the
editor (a name and seconds, not JSON), adds a rule only in it picking the name from the
suggestions, sees both badges in the rule list, tries a number in and out of the
conversation, and the live webhook (gunicorn) holds the conversation between pushes."""

import time
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User

from autoreply.models import Rule
from tests.autoreply.admin.test_browser import browser, log_in  # noqa: F401  (a fixture)
from tests.factories import account
from tests.gunicorn_server import gunicorn, post
from tests.wechat_client import signed_query, text

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_conversation_in_the_editor_the_list_the_try_page_and_the_webhook(
    browser,  # noqa: F811
    static_root,
):
    acme = account("acme")
    User.objects.create_superuser("operator", password="a long pass phrase")
    with gunicorn(workers=2, DJANGO_STATIC_ROOT=str(static_root)) as base:
        page = browser.new_page()
        log_in(page, base)
        add_rule(page, base, acme.pk, "start", ("exact", "查询工件"), "请输入工件号",
                 starts=("workpiece", "300"))  # fmt: skip
        suggested = add_rule(page, base, acme.pk, "number", ("regex", r"^(\d+)$"),
                             "第 {{ match.1 }} 号", only_in="workpiece")  # fmt: skip
        assert "workpiece" in suggested
        assert Rule.objects.get(name="start").sets_context == {"name": "workpiece", "seconds": 300}
        badges = page.locator("#result_list .rule-conversation-badge").all_inner_texts()
        assert sorted(badges) == ["💬 only in “workpiece”", "💬 starts “workpiece” for 300 s"]
        assert try_in(page, base, acme.pk, "18", "") is None
        assert "number" in page.inner_text("#trial-elsewhere")  # skipped, and said why
        assert try_in(page, base, acme.pk, "18", "workpiece") == "number"

        def webhook() -> str:
            return f"{base}/wechat/acme/?{urlencode(signed_query('spamtest'))}"

        now = int(time.time())
        before = post(webhook(), text("18", create_time=now, from_user="oW"))
        started = post(webhook(), text("查询工件", create_time=now + 1, from_user="oW"))
        answered = [
            post(webhook(), text("18", create_time=now + 2 + i, from_user="oW")) for i in range(4)
        ]  # fmt: skip  (two workers: each sees the state)
    assert before == (200, b"success")
    assert "请输入工件号".encode() in started[1]
    assert all("第 18 号".encode() in content for _, content in answered), answered


def add_rule(page, base, account_id, name, keyword, reply, *, starts=None, only_in=None):
    """Add a rule in the editor; the conversation names it suggests for "only in"."""
    page.goto(f"{base}/admin/autoreply/rule/add/")
    page.select_option("#id_account", str(account_id))
    page.fill("#id_name", name)
    page.select_option("#id_msg_type", "text")
    suggested = page.locator("#requires_context-known option").evaluate_all(
        "options => options.map(o => o.value)"
    )
    if starts:
        page.fill("input[name='sets_context_0']", starts[0])
        page.fill("input[name='sets_context_1']", starts[1])
    if only_in:
        page.fill("#id_requires_context", only_in)
    page.get_by_text("Add another Keyword").click()
    page.select_option("select[name='keywords-0-mode']", keyword[0])
    page.fill("input[name='keywords-0-pattern']", keyword[1])
    page.get_by_text("Add another Reply").click()
    page.fill("textarea[name='replies-0-content']", reply)
    page.click("input[name='_save']")
    page.wait_for_url(f"{base}/admin/autoreply/rule/")
    return suggested


def try_in(page, base: str, account_id: int, said: str, context: str) -> str | None:
    """The rule the try page says answers `said` in the conversation `context`."""
    page.goto(f"{base}/admin/autoreply/rule/try/")
    page.select_option("#id_account", str(account_id))
    page.fill("#id_text", said)
    page.fill("#id_context", context)
    page.click("input[name='try']")
    page.wait_for_selector("#trial-result")
    winner = page.locator("#trial-winner strong")
    return winner.inner_text() if winner.count() else None
