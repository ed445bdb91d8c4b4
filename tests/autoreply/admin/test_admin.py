"""Operators' flows through the admin (Django's test client), each checked against the
live webhook where it changes what followers get."""

import json
import re

import pytest

from autoreply.models import Account, Message, Rule
from tests.factories import rule, text_rule
from tests.wechat_client import event
from wechat.replies import REPLY_KINDS

ADD = "/admin/autoreply/rule/add/"


def management(prefix: str, total: int, initial: int = 0) -> dict[str, str]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def rule_form(account: Account, name: str, keywords=(), replies=(), **fields) -> dict[str, str]:
    """The POST data of the rule page: the rule, its keywords, replies and articles."""
    data = {
        "account": str(account.pk),
        "name": name,
        "enabled": "on",
        "priority": "0",
        "msg_type": "any",
        "event": "",
        "event_key": "",
        "cooldown_seconds": "0",
        "reply_mode": "random",
        **management("keywords", len(keywords)),
        **management("replies", len(replies)),
    }
    data.update({k: str(v) for k, v in fields.items()})
    for i, (mode, pattern) in enumerate(keywords):
        data.update({f"keywords-{i}-mode": mode, f"keywords-{i}-pattern": pattern})
    for i, reply in enumerate(replies):
        reply = dict(reply)
        articles = reply.pop("articles", [])
        data.update({f"replies-{i}-{k}": v for k, v in {"order": i, **reply}.items()})
        data.update(management(f"replies-{i}-articles", len(articles)))
        for j, article in enumerate(articles):
            data.update(
                {f"replies-{i}-articles-{j}-{k}": v for k, v in {"order": j, **article}.items()}
            )
    return data


def errors(response) -> str:
    """The error texts a page shows (field errors, inline errors, non-field errors)."""
    html = response.content.decode()
    return " | ".join(re.findall(r'<ul class="errorlist[^"]*"[^>]*>(.*?)</ul>', html, re.S))


def test_create_a_rule_and_the_webhook_answers_with_it(operator, bot, acme):
    response = operator.post(
        ADD,
        rule_form(
            acme,
            "greeting",
            keywords=[("contains", "你好")],
            replies=[{"type": "text", "content": "你好，{{ openid }}！"}],
        ),
    )
    assert response.status_code == 302, errors(response)
    assert bot.say("你好呀", from_user="oNew").content == "你好，oNew！"


def test_news_reply_with_articles_on_an_event_rule(operator, bot, acme):
    articles = [{"title": f"A{i}", "url": f"http://x/{i}"} for i in range(3)]
    data = rule_form(
        acme,
        "welcome",
        replies=[{"type": "news", "articles": articles}],
        msg_type="event",
        event="subscribe",
    )
    response = operator.post(ADD, data)
    assert response.status_code == 302, errors(response)
    assert [a.title for a in bot.ask(event("subscribe")).articles] == ["A0", "A1", "A2"]


REFUSED = {
    "bad regex": (dict(keywords=[("regex", "(oops")]), "does not compile"),
    "image without media id": (dict(replies=[{"type": "image"}]), "needs a media ID"),
    "two articles answering messages": (
        dict(replies=[{"type": "news", "articles": [{"title": "a"}, {"title": "b"}]}]),
        "WeChat shows only 1 when answering a follower",
    ),
    "event rule without event": (dict(msg_type="event"), "An event rule needs an event"),
    "transfer on an event rule": (
        dict(msg_type="event", event="subscribe", replies=[{"type": "transfer_customer_service"}]),
        "never events",
    ),
    "music without thumb": (dict(replies=[{"type": "music", "title": "x"}]), "thumb media ID"),
    "keywords on an image rule": (
        dict(msg_type="image", keywords=[("exact", "x")]),
        "Keywords only match text",
    ),
    "template that does not compile": (
        dict(replies=[{"type": "text", "content": "{% if %}"}]),
        "template error",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_validation_is_shown_on_the_rule_page_and_nothing_is_saved(operator, acme, case):
    fields, message = REFUSED[case]
    response = operator.post(ADD, rule_form(acme, "bad", **fields))
    assert response.status_code == 200
    assert message in errors(response)
    assert not Rule.objects.filter(name="bad").exists()


def test_long_text_reply_is_saved_with_a_warning(operator, acme):
    data = rule_form(acme, "long", replies=[{"type": "text", "content": "字" * 700}])
    response = operator.post(ADD, data, follow=True)
    assert "WeChat&#x27;s clients refuse text over 2047 bytes" in response.content.decode()
    assert Rule.objects.filter(name="long").exists()


def test_editing_a_rule_changes_the_answer(operator, wechat):
    help_rule = Rule.objects.get(name="help")
    page = operator.get(f"/admin/autoreply/rule/{help_rule.pk}/change/")
    assert page.status_code == 200
    reply = help_rule.replies.get()
    keyword_ids = list(help_rule.keywords.values_list("pk", flat=True))
    data = rule_form(
        help_rule.account,
        "help",
        keywords=[("exact", "help")],
        replies=[{"type": "text", "content": "New help text", "id": reply.pk}],
        msg_type="text",
        priority=90,
    )
    data.update(management("keywords", 1, 0))
    data.update(management("replies", 1, 1))
    data["replies-0-rule"] = str(help_rule.pk)
    for keyword_id in keyword_ids:  # the old keywords are replaced by one new one
        help_rule.keywords.filter(pk=keyword_id).delete()
    response = operator.post(f"/admin/autoreply/rule/{help_rule.pk}/change/", data)
    assert response.status_code == 302, errors(response)
    assert wechat.say("help").content == "New help text"


def test_rule_list_search_filters_hits_and_sorting(operator, bot, acme):
    text_rule(acme, "hours", "9-18", ("contains", "营业时间"), priority=5)
    text_rule(acme, "prices", "cheap", ("exact", "price"), priority=9)
    bot.say("营业时间?")
    bot.say("营业时间!")
    page = operator.get("/admin/autoreply/rule/", {"q": "营业"}).content.decode()
    assert "hours" in page and "prices" not in page
    assert "hours" in operator.get("/admin/autoreply/rule/", {"q": "9-18"}).content.decode()
    listing = operator.get("/admin/autoreply/rule/", {"o": "-3"}).content.decode()
    assert listing.index("prices") < listing.index("hours")  # sorted by priority, high first
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*>hours</a>(?:(?!</tr>).)*</tr>", listing, re.S)
    assert row and "?rule__id__exact=" in row.group(0) and ">2</a>" in row.group(0)
    filtered = operator.get("/admin/autoreply/rule/", {"enabled__exact": "0"}).content.decode()
    assert "hours" not in filtered


def test_bulk_disable_enable_and_duplicate(operator, bot, acme):
    hi = text_rule(acme, "hi", "hello", ("exact", "hi"))
    changelist = "/admin/autoreply/rule/"
    operator.post(changelist, {"action": "disable", "_selected_action": [hi.pk]})
    assert bot.say("hi") is None
    operator.post(changelist, {"action": "enable", "_selected_action": [hi.pk]})
    assert bot.say("hi").content == "hello"
    operator.post(changelist, {"action": "duplicate", "_selected_action": [hi.pk]})
    copy = Rule.objects.get(name="hi (copy)")
    assert not copy.enabled
    assert [k.pattern for k in copy.keywords.all()] == ["hi"]
    assert copy.replies.get().content == "hello"


def test_try_a_message_shows_the_rule_the_reason_and_the_xml_and_stores_nothing(operator, demo):
    page = operator.get(
        "/admin/autoreply/rule/try/", {"account": demo.pk, "kind": "text", "text": "请问营业时间"}
    ).content.decode()
    assert "opening hours" in page
    assert "contains keyword “营业时间”" in page
    assert "&lt;Content&gt;&lt;![CDATA[We open 9:00-18:00" in page
    assert not Message.objects.exists()
    events = operator.get(
        "/admin/autoreply/rule/try/",
        {"account": demo.pk, "kind": "event", "event": "CLICK", "event_key": "V1001_TODAY_MUSIC"},
    ).content.decode()
    assert "today&#x27;s music" in events and "MusicUrl" in events
    nothing = operator.get(
        "/admin/autoreply/rule/try/", {"account": demo.pk, "kind": "event", "event": "VIEW"}
    ).content.decode()
    assert "No rule matches" in nothing


def test_try_page_refuses_incomplete_input(operator, demo):
    page = operator.get("/admin/autoreply/rule/try/", {"account": demo.pk, "kind": "event"})
    assert "Name the event to try" in page.content.decode()


def test_account_secrets_are_masked_and_kept(operator, demo):
    page = operator.get(f"/admin/autoreply/account/{demo.pk}/change/").content.decode()
    assert "spamtest" not in page and demo.encoding_aes_key not in page
    assert "••••••test" in page
    assert "http://testserver/wechat/demo/" in page
    data = {
        "slug": "demo",
        "name": "Renamed",
        "app_id": demo.app_id,
        "encryption_mode": "safe",
        "token": "",
        "encoding_aes_key": "",
        "previous_encoding_aes_key": "",
    }
    response = operator.post(f"/admin/autoreply/account/{demo.pk}/change/", data)
    assert response.status_code == 302, errors(response)
    demo.refresh_from_db()
    assert (demo.name, demo.token, demo.encryption_mode) == ("Renamed", "spamtest", "safe")
    assert len(demo.encoding_aes_key) == 43


def test_message_log_filters_search_and_detail(operator, bot, acme):
    text_rule(acme, "help", "Try: this", ("exact", "help"))
    bot.say("help", from_user="oAlice")
    bot.say("nobody answers this?", from_user="oBob")
    log = "/admin/autoreply/message/"
    assert "oAlice" in operator.get(log).content.decode()
    matched = operator.get(log, {"status__exact": "reply"}).content.decode()
    assert "oAlice" in matched and "oBob" not in matched.split("result_list")[-1]
    assert "oBob" in operator.get(log, {"q": "oBob"}).content.decode()
    message = Message.objects.get(from_user="oAlice")
    detail = operator.get(f"{log}{message.pk}/change/").content.decode()
    assert "&lt;Content&gt;&lt;![CDATA[help]]&gt;&lt;/Content&gt;" in detail  # raw XML
    assert "Try:" in detail  # the reply as sent
    assert f"/admin/autoreply/rule/{message.rule_id}/change/" in detail
    assert operator.get(f"{log}add/").status_code == 403


def test_followers_page_links_to_their_messages(operator, wechat):
    wechat.say("help", from_user="oCarol")
    page = operator.get("/admin/autoreply/follower/").content.decode()
    assert "oCarol" in page and "/admin/autoreply/message/?q=oCarol" in page


def test_lookup_entries_are_edited_in_the_admin_and_answer_at_once(operator, bot, acme):
    from autoreply.models import LookupEntry, LookupTable

    rule(
        acme,
        "where",
        keywords=(("regex", r"^\?(\S+)$"),),
        replies=('{{ match.1|lookup:"shelves" }}',),
    )
    table = LookupTable.objects.create(account=acme, name="shelves")
    entry = LookupEntry.objects.create(table=table, key="A-1", value="left")
    assert bot.say("?a-1").content == "left"
    response = operator.post(
        f"/admin/autoreply/lookupentry/{entry.pk}/change/",
        {"table": table.pk, "key": "A-1", "value": "right"},
    )
    assert response.status_code == 302
    assert bot.say("?A-1").content == "right"
    tables = operator.get("/admin/autoreply/lookuptable/").content.decode()
    assert "shelves" in tables and "browse and edit entries" in tables


def test_admin_pages_render(operator, demo, wechat):
    wechat.say("help")
    wechat.ask(event("subscribe"))
    for url in [
        "/admin/",
        "/admin/autoreply/account/",
        "/admin/autoreply/rule/",
        "/admin/autoreply/message/",
        "/admin/autoreply/follower/",
        "/admin/autoreply/lookuptable/",
        "/admin/autoreply/lookupentry/",
        "/admin/autoreply/rule/try/",
        ADD,
    ]:
        assert operator.get(url).status_code == 200, url


def test_the_admin_needs_a_login(client, demo):
    assert client.get("/admin/autoreply/rule/try/").status_code == 302
    assert client.get("/admin/autoreply/rule/").status_code == 302


def test_the_rule_page_gets_each_reply_types_fields_from_the_declaration(operator, acme):
    page = operator.get(ADD).content.decode()
    found = re.search(r'<script id="reply-fields" type="application/json">(.*?)</script>', page)
    assert found is not None
    declared = json.loads(found.group(1))
    assert declared["fields"] == {name: list(k.field_names) for name, k in REPLY_KINDS.items()}
    assert declared["articles"] == ["news"]
    for name in {field for fields in declared["fields"].values() for field in fields}:
        assert f'name="replies-__prefix__-{name}"' in page  # every field has its input
