"""What the admin's pages show, read as an operator reads them: times in milliseconds to a
tenth, the webhook's path with its <slug>, no link to a site that is not there, lookup
entries one line each, and a try page that says which rule answered in plain words.
(How wide the pages are is measured in a browser: test_browser_widths.py.)"""

import re
import uuid

import pytest
from django.utils import translation

from autoreply.models import LookupEntry, LookupTable, Message
from autoreply.rules.trial import reason
from tests.autoreply.admin.test_admin import management
from tests.factories import account, rule, text_rule

ZH = {"accept-language": "zh-CN,zh;q=0.9"}


@pytest.fixture
def acme(db):
    return account("acme")


def log_entry(acme, handling_ms: float | None) -> Message:
    return Message.objects.create(
        account=acme,
        dedup_key=uuid.uuid4(),
        from_user="oFollower1",
        to_user="gh_acme",
        create_time=1_777_870_000,
        msg_type="text",
        text="hi",
        raw_xml="<xml/>",
        status="no_rule",
        handling_ms=handling_ms,
    )


def test_handling_time_shows_in_milliseconds_to_a_tenth(operator, acme):
    message = log_entry(acme, 6.5624220000017885)
    log = operator.get("/admin/autoreply/message/").content.decode()
    detail = operator.get(f"/admin/autoreply/message/{message.pk}/change/").content.decode()
    for page in (log, detail):
        assert "6.6 ms" in page
        assert "6.56" not in page
    assert "6.6 毫秒" in operator.get("/admin/autoreply/message/", headers=ZH).content.decode()


def test_handling_time_unknown_is_a_dash(operator, acme):
    log_entry(acme, None)
    row = operator.get("/admin/autoreply/message/").content.decode()
    assert re.search(r'class="field-handling_time">—<', row)


def test_the_slug_help_text_shows_the_webhook_path(operator, acme):
    for url in ("/admin/autoreply/account/add/", f"/admin/autoreply/account/{acme.pk}/change/"):
        page = operator.get(url).content.decode()
        assert "/wechat/&lt;slug&gt;/" in page  # shown as text, not read as a tag
        assert "<slug>" not in page


def test_the_add_account_page_opens(operator):
    # Its form has no "forget the previous key" (nothing is stored yet); the page asked for it.
    assert operator.get("/admin/autoreply/account/add/").status_code == 200


def test_no_view_site_link_to_a_page_that_is_not_there(operator):
    page = operator.get("/admin/").content.decode()
    assert "View site" not in page
    assert operator.get("/").status_code == 404  # what the link led to


def test_lookup_entries_are_edited_one_line_each(operator, acme):
    table = LookupTable.objects.create(account=acme, name="shelves")
    LookupEntry.objects.create(table=table, key="A-1", value="left\nsecond line")
    for url in (
        f"/admin/autoreply/lookuptable/{table.pk}/change/",  # the table's own page
        "/admin/autoreply/lookupentry/",  # the entries list, edited in place
    ):
        page = operator.get(url).content.decode()
        boxes = re.findall(r"<textarea[^>]*>", page)
        assert boxes and all('rows="1"' in box for box in boxes), url
        assert "left\nsecond line</textarea>" in page  # line breaks kept, unlike an input


def entries_form(table: LookupTable, rows: list[tuple[str, str]], stored: int = 0) -> dict:
    data = {"account": table.account_id, "name": table.name, "description": ""}
    data.update(management("entries", len(rows), stored))
    existing = list(table.entries.order_by("pk"))
    for i, (key, value) in enumerate(rows):
        data.update({f"entries-{i}-key": key, f"entries-{i}-value": value})
        if i < stored:
            data.update({f"entries-{i}-id": existing[i].pk, f"entries-{i}-table": table.pk})
    return data


def test_the_table_page_adds_and_edits_entries(operator, acme):
    table = LookupTable.objects.create(account=acme, name="shelves")
    LookupEntry.objects.create(table=table, key="A-1", value="left")
    url = f"/admin/autoreply/lookuptable/{table.pk}/change/"
    response = operator.post(url, entries_form(table, [("A-1", "right"), ("B-2", "up")], 1))
    assert response.status_code == 302
    assert dict(table.entries.values_list("key", "value")) == {"A-1": "right", "B-2": "up"}


@pytest.mark.parametrize(
    "rows, stored",
    [
        ([("A-1", "left"), ("ａ-1", "again")], 1),  # a stored key, typed full-width
        ([("B-2", "one"), ("b-2", "two")], 0),  # two new rows with one key
    ],
)
def test_a_key_twice_is_refused_on_the_table_page_and_nothing_is_lost(
    operator,
    acme,
    rows,
    stored,
):
    table = LookupTable.objects.create(account=acme, name="shelves")
    LookupEntry.objects.create(table=table, key="A-1", value="left")
    url = f"/admin/autoreply/lookuptable/{table.pk}/change/"
    response = operator.post(url, entries_form(table, rows, stored))
    assert response.status_code == 200
    assert "The table already has the key" in response.content.decode()
    assert dict(table.entries.values_list("key", "value")) == {"A-1": "left"}


def test_a_key_twice_is_refused_on_the_entry_page(operator, acme):
    table = LookupTable.objects.create(account=acme, name="shelves")
    LookupEntry.objects.create(table=table, key="A-1", value="left")
    response = operator.post(
        "/admin/autoreply/lookupentry/add/", {"table": table.pk, "key": "a-1 ", "value": "x"}
    )
    assert response.status_code == 200  # was a database error (500)
    assert "The table already has the key “a-1”" in response.content.decode()
    assert table.entries.count() == 1


def test_a_large_table_is_edited_in_the_entries_list(operator, acme):
    table = LookupTable.objects.create(account=acme, name="big")
    LookupEntry.objects.bulk_create(
        LookupEntry(table=table, key=str(n), normalized_key=str(n), value="v") for n in range(101)
    )
    page = operator.get(f"/admin/autoreply/lookuptable/{table.pk}/change/").content.decode()
    assert 'name="entries-0-key"' not in page
    assert (
        "browse and edit entries" in operator.get("/admin/autoreply/lookuptable/").content.decode()
    )


class Hit:
    """What the try page knows of a match without a keyword: the rule."""

    keyword = None

    def __init__(self, rule) -> None:
        self.rule = rule


@pytest.mark.parametrize(
    "fields, english, chinese",
    [
        ({"msg_type": "any"}, "a rule for every follower message", "回复粉丝所有消息的规则"),
        ({"msg_type": "image"}, "a rule for every image message", "回复所有图片消息的规则"),
    ],
)
def test_a_rule_without_keywords_is_described_in_plain_words(acme, fields, english, chinese):
    answered = text_rule(acme, "catch-all", "hello", **fields)
    for language, expected in (("en", english), ("zh-hans", chinese)):
        with translation.override(language):
            said = reason(Hit(answered))
        assert said.startswith(expected)
        assert "any message" not in said and "任意" not in said


def test_the_try_page_says_why_a_keywordless_rule_answered(operator, acme):
    rule(acme, "catch-all", replies=("hello",))
    page = operator.get(f"/admin/autoreply/rule/try/?account={acme.pk}&kind=text&text=hi")
    assert "a rule for every follower message (no keywords)" in page.content.decode()


def test_the_rule_list_shows_hits_and_how_long_ago_the_last_was(operator, acme):
    answered = text_rule(acme, "hours", "9-18", ("exact", "hours"))
    text_rule(acme, "quiet", "-", ("exact", "quiet"))
    Message.objects.filter(pk=log_entry(acme, 1.0).pk).update(rule=answered)
    page = operator.get("/admin/autoreply/rule/").content.decode()
    cells = re.findall(r'<td class="field-hits">(.*?)</td>', page, re.S)
    hit, never = (cells[0], cells[1]) if "ago" in cells[0] else (cells[1], cells[0])
    assert f'?rule__id__exact={answered.pk}">1</a>' in hit and "minute" in hit and "ago" in hit
    assert never.endswith(">0</a>")
    assert "分钟前" in operator.get("/admin/autoreply/rule/", headers=ZH).content.decode()
