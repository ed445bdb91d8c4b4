"""Replies and news articles put in order by dragging, in a real browser: the operator
drags the second reply above the first and the second article above the first, saves,
and the database, the rules file and the webhook's answer (a rule that always answers with
its first reply) all have the new order."""

import json
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User

from autoreply.files.rules_export import export_rules
from autoreply.models import Reply
from tests.autoreply.admin.test_browser import browser, log_in  # noqa: F401  (a fixture)
from tests.factories import account, rule
from tests.gunicorn_server import gunicorn, post
from tests.wechat_client import event, signed_query

pytestmark = pytest.mark.django_db(transaction=True)

NEWS = {
    "type": "news",
    "articles": [
        {"title": "旧品清仓", "url": "https://example.com/old"},
        {"title": "新品上市", "url": "https://example.com/new"},
    ],
}
# The rule page's replies (not the empty form kept for "add another"), and in a reply its
# articles, each by the handle an operator drags it with.
REPLIES = "#replies-group > fieldset > .djn-items > .djn-item.djn-inline-form"
REPLY_HANDLE = "h3.djn-drag-handler"
ARTICLE_HANDLES = ".djn-group-nested .djn-item.djn-inline-form .djn-drag-handler"


def test_drag_replies_and_articles_into_order(browser, static_root):  # noqa: F811
    acme = account("acme")
    news = rule(
        acme,
        "welcome",  # news to a follow (up to 8 articles; 1 when answering a message)
        msg_type="event",
        event="subscribe",
        reply_mode="first",
        replies=("先看这条", NEWS),
    )
    User.objects.create_superuser("operator", password="a long pass phrase")
    with gunicorn(workers=1, DJANGO_STATIC_ROOT=str(static_root)) as base:
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        log_in(page, base)
        page.goto(f"{base}/admin/autoreply/rule/{news.pk}/change/")
        replies = page.locator(REPLIES)
        drag_above(page, replies.locator(REPLY_HANDLE), 1, 0)  # the news reply goes first
        drag_above(page, replies.first.locator(ARTICLE_HANDLES), 1, 0)  # 新品上市 goes first
        with page.expect_navigation():
            page.click("input[name='_save']")
        assert page.url == f"{base}/admin/autoreply/rule/", errors_on(page)
        query = urlencode(signed_query("spamtest"))
        status, answer = post(f"{base}/wechat/acme/?{query}", event("subscribe"))

    replies = list(Reply.objects.filter(rule=news))
    assert [reply.type for reply in replies] == ["news", "text"]
    assert [reply.order for reply in replies] == [0, 1]
    assert [a.title for a in replies[0].articles.all()] == ["新品上市", "旧品清仓"]
    exported = json.loads(export_rules(["acme"]))["accounts"][0]["rules"][0]["replies"]
    assert [reply["type"] for reply in exported] == ["news", "text"]
    assert [a["title"] for a in exported[0]["articles"]] == ["新品上市", "旧品清仓"]
    assert status == 200  # "always the first": now the news, its articles in the new order
    assert answer.index("新品上市".encode()) < answer.index("旧品清仓".encode())


def errors_on(page) -> str:
    return " | ".join(page.locator(".errornote, .errorlist").all_inner_texts())


def drag_above(page, handles, moved: int, target: int) -> None:
    """Drag item `moved` by its handle to just above item `target`, in small steps as a
    hand does (nested_admin's sortable follows the mouse, it does not jump)."""
    handles.nth(target).scroll_into_view_if_needed()
    start, goal = handles.nth(moved).bounding_box(), handles.nth(target).bounding_box()
    x = start["x"] + min(20, start["width"] / 2)
    y = start["y"] + start["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    steps = 20
    for step in range(1, steps + 1):
        page.mouse.move(x, y + (goal["y"] - 5 - y) * step / steps)
    page.mouse.up()
