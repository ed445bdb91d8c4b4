"""The platform's habits in the admin: its three places (被关注回复, 收到消息回复, 关键词回复)
as entry points with prefilled add pages, event names offered and checked, no traps (a
keyword-less rule above the default asks first, the dashboard's link adds a keyword, the
original ID is never the simulator's and can be corrected), keywords shown with their mode."""

import re
import threading
import time
from html import unescape
from urllib.parse import unquote, urlencode

import pytest
from django.contrib.auth.models import User
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from autoreply.admin.confirmations import CONFIRM_FIELD
from autoreply.admin.dashboard import answer_url
from autoreply.conf import webhook_database
from autoreply.files.rules_import import import_rules
from autoreply.models import Account, Message, Rule
from autoreply.webhook.registry import LEARN_ORIGINAL_ID
from tests.autoreply.admin.test_admin import errors, rule_form
from tests.autoreply.admin.test_language import ZH
from tests.factories import rule, text_rule
from tests.wechat_client import WeChatClient, text
from wechat import pushes
from wechat.pushes import SIMULATED_GH_ID
from wechat.registry import EVENTS

ADD = reverse("admin:autoreply_rule_add")
RULES = reverse("admin:autoreply_rule_changelist")


def listed(page: str) -> list[str]:
    """The rule names a rule list shows, in order."""
    return [
        unescape(name) for name in re.findall(r'<th class="field-name"><a [^>]*>([^<]*)</a>', page)
    ]


def field_value(page: str, name: str) -> str | None:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', page)
    return unescape(found.group(1)) if found else None


def selected(page: str, name: str) -> str | None:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', page, re.S)
    chosen = select and re.search(r'<option value="([^"]*)" selected>', select.group(1))
    return chosen.group(1) if chosen else None


# --- the three places ---------------------------------------------------------------


def test_the_index_lists_the_three_places_before_the_rules(operator, demo):
    page = operator.get(reverse("admin:index"), headers=ZH).content.decode()
    rows = re.findall(r'<th scope="row" id="autoreply-([\w]+)">\s*<a href="([^"]+)"', page)
    names = [name for name, _ in rows]
    assert names[names.index("place_subscribe") : names.index("rule") + 1] == [
        "place_subscribe",
        "place_default",
        "place_keyword",
        "rule",
    ]
    links = dict(rows)
    assert unescape(links["place_subscribe"]) == f"{RULES}?place=subscribe"
    for label in ("被关注回复", "收到消息回复", "关键词回复"):
        assert label in page
    add = re.search(
        r'href="([^"]+)" class="addlink" aria-describedby="autoreply-place_subscribe"', page
    )
    assert unescape(add.group(1)).startswith(f"{ADD}?name=")
    assert "msg_type=event&event=subscribe" in unescape(add.group(1))


def test_the_app_page_and_the_sidebar_list_them_too(operator, demo):
    page = operator.get(reverse("admin:app_list", args=["autoreply"])).content.decode()
    assert page.count('id="autoreply-place_keyword"') == 1
    sidebar = operator.get(reverse("admin:autoreply_message_changelist")).content.decode()
    assert 'id="autoreply-place_keyword"' in sidebar.split('id="nav-sidebar"')[1]


def test_a_staff_user_without_rules_sees_no_places(client, demo):
    User.objects.create_user("reader", password="pw", is_staff=True)
    client.login(username="reader", password="pw")
    assert "place_subscribe" not in client.get(reverse("admin:index")).content.decode()


@pytest.mark.parametrize(
    ("place", "names"),
    [
        ("subscribe", ["welcome"]),
        ("default", ["default"]),
        ("keyword", ["help", "reply all", "opening hours", "echo", "price list"]),
        ("other", ["picture for picture", "today's music", "location thanks"]),
    ],
)
def test_the_rule_list_filters_by_place(operator, demo, place, names):
    page = operator.get(RULES, {"place": place}).content.decode()
    assert set(listed(page)) >= set(names)
    others = {"welcome", "default", "help", "picture for picture"} - set(names)
    assert not others & set(listed(page))


def test_the_rule_list_links_each_place_with_its_add_page_for_the_account(operator, demo):
    page = unescape(operator.get(RULES, {"account__id__exact": demo.pk}).content.decode())
    assert f'href="{RULES}?place=keyword&account__id__exact={demo.pk}"' in page
    add = re.search(r'<a href="([^"]+)" class="addlink" id="place-default-add"', page).group(1)
    assert add.startswith(f"{ADD}?account={demo.pk}&")
    assert "priority=-100" in add and "cooldown_seconds=3600" in add


def test_adding_a_reply_on_follow_comes_prefilled(operator, demo):
    link = re.search(
        r'<a href="([^"]+)" class="addlink" id="place-subscribe-add"',
        operator.get(RULES, headers=ZH).content.decode(),
    ).group(1)
    page = operator.get(unescape(link), headers=ZH).content.decode()
    assert selected(page, "msg_type") == "event"
    assert field_value(page, "event") == "subscribe"
    assert field_value(page, "name") == "被关注回复"


def test_adding_a_default_reply_comes_prefilled_lowest_and_hourly(operator, demo):
    query = {"msg_type": "any", "priority": "-100", "cooldown_seconds": "3600"}
    page = operator.get(ADD, query).content.decode()
    assert selected(page, "msg_type") == "any"
    assert field_value(page, "priority") == "-100"
    assert field_value(page, "cooldown_seconds") == "3600"


def test_adding_a_keyword_rule_offers_a_keyword_row(operator, demo):
    page = operator.get(ADD, {"msg_type": "text", "keyword": "", "keyword_mode": "contains"})
    html = page.content.decode()
    assert selected(html, "msg_type") == "text"
    assert 'name="keywords-TOTAL_FORMS" value="1"' in html
    assert selected(html, "keywords-0-mode") == "contains"


def test_a_bad_keyword_mode_in_the_query_falls_back_to_contains(operator, demo):
    html = operator.get(ADD, {"keyword": "你好", "keyword_mode": "<b>"}).content.decode()
    assert selected(html, "keywords-0-mode") == "contains"
    assert field_value(html, "keywords-0-pattern") == "你好"
    assert "<b>" not in html.split('name="keywords-0-mode"')[1][:300]


def test_the_event_field_offers_wechats_events_and_takes_any_value(operator, demo):
    page = operator.get(ADD, headers=ZH).content.decode()
    datalist = re.search(r'<datalist id="id_event-events">(.*?)</datalist>', page, re.S).group(1)
    offered = re.findall(r'<option value="([^"]+)">', datalist)
    assert offered == [kind.event for kind in EVENTS]
    assert {"subscribe", "SCAN", "CLICK", "VIEW"} <= set(offered)
    assert '<option value="subscribe">关注</option>' in datalist
    assert re.search(r'<input[^>]*name="event"[^>]*list="id_event-events"', page)


# --- events that WeChat never sends ----------------------------------------------------


def test_an_unknown_event_is_saved_with_a_warning_naming_the_event_meant(operator, acme):
    data = rule_form(
        acme,
        "关注回复",
        msg_type="event",
        event="关注",
        replies=[{"type": "text", "content": "欢迎"}],
    )
    response = operator.post(ADD, data, follow=True, headers=ZH)
    page = response.content.decode()
    assert Rule.objects.get(name="关注回复").event == "关注"  # a warning, not a refusal
    assert (
        "“关注”不是微信会推送的事件，这条规则永远不会回复：您是不是想填 subscribe（关注）？" in page
    )


def test_an_unknown_event_with_no_likeness_lists_the_events(operator, acme):
    data = rule_form(acme, "odd", msg_type="event", event="follow_me")
    page = operator.post(ADD, data, follow=True).content.decode()
    assert "“follow_me” is not an event WeChat sends" in unescape(page)
    assert "subscribe, unsubscribe, SCAN, LOCATION, CLICK, VIEW" in page


def test_a_known_event_in_any_case_has_no_warning(operator, acme):
    data = rule_form(acme, "scan", msg_type="event", event="scan")
    page = operator.post(ADD, data, follow=True).content.decode()
    assert "is not an event WeChat sends" not in unescape(page)


def test_an_import_warns_of_an_unknown_event(acme):
    rules = [{"name": "follow", "msg_type": "event", "event": "Subscribe "}]
    report = import_rules({"accounts": [{"slug": "acme", "rules": rules}]})
    assert report.warnings == [
        "account 'acme', rule 'follow': “Subscribe ” is not an event WeChat sends, so this "
        "rule never answers: did you mean subscribe (follow (关注))?"
    ]


# --- a keyword-less rule above the default asks first ---------------------------------


def test_a_keyword_less_rule_above_the_default_is_asked_about_before_saving(operator, demo):
    data = rule_form(demo, "catch all", replies=[{"type": "text", "content": "hi"}])
    response = operator.post(ADD, data)
    assert response.status_code == 200
    shown = unescape(errors(response))
    assert "above the default reply “default” (priority -100)" in shown
    assert "it would answer every follower message before the default does" in shown
    assert f'name="{CONFIRM_FIELD}"' in response.content.decode()
    assert not Rule.objects.filter(name="catch all").exists()
    confirmed = operator.post(ADD, {**data, CONFIRM_FIELD: "1"})
    assert confirmed.status_code == 302, errors(confirmed)
    assert Rule.objects.filter(name="catch all").exists()


def test_the_question_speaks_chinese(operator, demo):
    data = rule_form(demo, "全部文本", msg_type="text", priority=5)
    page = operator.post(ADD, data, headers=ZH).content.decode()
    assert "它会抢在默认回复之前回复每一条文本消息" in page
    assert "忽略警告并保存" in page


@pytest.mark.parametrize(
    "fields",
    [
        {"priority": "-200"},  # below the default: a new default
        {"msg_type": "image"},  # no keywords possible: its own place
        {"enabled": ""},  # off: it answers nothing
        {"requires_context": "workpiece"},  # a step of a conversation, for followers in it
    ],
    ids=["below", "image", "disabled", "in a conversation"],
)
def test_keyword_less_rules_that_leave_the_default_alone_save_at_once(operator, demo, fields):
    data = {**rule_form(demo, "quiet"), **fields}
    if fields.get("enabled") == "":
        del data["enabled"]
    response = operator.post(ADD, data)
    assert response.status_code == 302, errors(response)


def test_a_rule_with_a_keyword_above_the_default_saves_at_once(operator, demo):
    response = operator.post(ADD, rule_form(demo, "hello", keywords=[("exact", "你好")]))
    assert response.status_code == 302, errors(response)


def test_editing_the_default_rule_itself_asks_nothing(operator, demo):
    default = Rule.objects.get(account=demo, name="default")
    data = rule_form(demo, "default", priority=-100, cooldown_seconds=3600)
    data.update({"replies-TOTAL_FORMS": "0"})
    url = reverse("admin:autoreply_rule_change", args=[default.pk])
    response = operator.post(url, data)
    assert response.status_code == 302, errors(response)


def test_an_account_without_a_default_asks_nothing(operator, acme):
    assert operator.post(ADD, rule_form(acme, "everything")).status_code == 302


# --- the dashboard's "answer with a rule" ---------------------------------------------


def test_the_dashboards_answer_link_prefills_an_exact_keyword_and_text(operator, demo):
    page = operator.get(answer_url(demo, "几点 关门？")).content.decode()
    assert selected(page, "msg_type") == "text"
    assert field_value(page, "name") == "几点 关门？"
    assert field_value(page, "keywords-0-pattern") == "几点 关门？"
    assert selected(page, "keywords-0-mode") == "exact"


def test_a_rule_saved_from_the_answer_link_answers_that_question_only(operator, demo):
    form = rule_form(
        demo,
        "几点关门",
        keywords=[("exact", "几点关门")],
        replies=[{"type": "text", "content": "六点"}],
        msg_type="text",
    )
    assert operator.post(ADD, form).status_code == 302
    wechat = WeChatClient(demo)
    assert wechat.say("几点关门").content == "六点"
    assert wechat.say("你好").content != "六点"  # the default rule still answers the rest


def test_a_question_too_long_for_a_keyword_is_matched_by_its_beginning(demo):
    url = unquote(answer_url(demo, "问" * 600))
    assert "keyword_mode=contains" in url
    assert url.count("问") == 100 + 500  # the name, the keyword


# --- the original ID ------------------------------------------------------------------


def test_the_simulators_push_teaches_nothing_a_real_one_does(bot, acme):
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    simulated = pushes.Push(fields=pushes.text_fields("hi")).xml()
    assert b"<ToUserName><![CDATA[gh_simulator]]>" in simulated
    assert bot.post(simulated).status_code == 200
    assert Account.objects.get(pk=acme.pk).original_id == ""
    assert bot.post(text("hi", to_user="gh_0123456789ab")).status_code == 200
    assert Account.objects.get(pk=acme.pk).original_id == "gh_0123456789ab"


def test_an_operator_corrects_the_original_id(operator, acme):
    Account.objects.filter(pk=acme.pk).update(original_id="gh_wrong")
    url = reverse("admin:autoreply_account_change", args=[acme.pk])
    page = operator.get(url).content.decode()
    assert field_value(page, "original_id") == "gh_wrong"
    revision = Account.objects.get(pk=acme.pk).revision
    data = {
        "slug": "acme",
        "name": "Acme",
        "app_id": acme.app_id,
        "encryption_mode": "compatible",
        "original_id": "gh_0123456789ab",
    }
    response = operator.post(url, data)
    assert response.status_code == 302, errors(response)
    saved = Account.objects.get(pk=acme.pk)
    assert saved.original_id == "gh_0123456789ab"
    assert saved.revision == revision + 1  # every worker reloads the account


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("gh_simulator", "gh_simulator is what the simulator sends"),
        ("gh 12", "An original ID is up to 64 letters, digits, _ and -"),
    ],
)
def test_a_wrong_original_id_is_refused_with_a_reason(operator, acme, value, message):
    url = reverse("admin:autoreply_account_change", args=[acme.pk])
    data = {"slug": "acme", "name": "Acme", "app_id": acme.app_id, "encryption_mode": "compatible"}
    response = operator.post(url, {**data, "original_id": value})
    assert response.status_code == 200
    assert message in unescape(errors(response))
    assert Account.objects.get(pk=acme.pk).original_id == ""


def test_an_emptied_original_id_is_learned_again_by_running_workers(bot, acme):
    bot.post(text("hi", to_user="gh_0ld0ld0ld0ld"))
    assert Account.objects.get(pk=acme.pk).original_id == "gh_0ld0ld0ld0ld"
    revision = Account.objects.get(pk=acme.pk).revision  # learning it moved nothing
    Account.objects.filter(pk=acme.pk).update(original_id="")  # as the admin saves it
    assert Account.objects.get(pk=acme.pk).revision == revision + 1
    bot.post(text("hi", to_user="gh_0123456789ab"))  # the worker reloaded the account
    assert Account.objects.get(pk=acme.pk).original_id == "gh_0123456789ab"


def test_an_original_id_another_worker_learned_is_kept_and_not_written_again(bot, acme):
    Account.objects.filter(pk=acme.pk).update(original_id="")
    bot.post(text("hi", from_user="oFirst", to_user=SIMULATED_GH_ID))  # loaded, none learned
    with connection.cursor() as cursor:  # another worker learns it: no revision moves
        cursor.execute(LEARN_ORIGINAL_ID, ["gh_0ther0ther0", acme.pk, acme.pk])
    with CaptureQueriesContext(connections[webhook_database()]) as queries:
        bot.post(text("hi", from_user="oSecond", to_user="gh_0123456789ab"))
        bot.post(text("hi", from_user="oThird", to_user="gh_0123456789ab"))
    learning = [q for q in queries.captured_queries if "UPDATE autoreply_account" in q["sql"]]
    assert len(learning) == 1  # the first finds it stored and keeps it; the second asks nothing
    assert Account.objects.get(pk=acme.pk).original_id == "gh_0ther0ther0"


LOCK_TIMEOUT_MS = 1000


def hold_an_import_open(ready: threading.Event, release: threading.Event) -> None:
    """An import of the account's rules, its transaction kept open: it holds the account's
    row (every rule change bumps the account's revision there)."""
    rules = [{"name": "hours", "keywords": [{"mode": "exact", "pattern": "几点"}]}]
    try:
        with transaction.atomic():
            import_rules({"accounts": [{"slug": "acme", "rules": rules}]})
            ready.set()
            release.wait(10)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_learning_the_original_id_never_waits_for_an_open_import(acme):
    ready, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=hold_an_import_open, args=(ready, release))
    holder.start()
    try:
        assert ready.wait(20), "the import did not get going"
        with connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
        started = time.monotonic()
        response = WeChatClient(acme).post(text("hi", from_user="oDuring", to_user="gh_real"))
        took = time.monotonic() - started
        assert response.status_code == 200
        assert took < LOCK_TIMEOUT_MS / 1000 * 0.8, f"the push waited {took:.2f} s"
        assert Message.objects.filter(account=acme, from_user="oDuring").exists()
        assert Account.objects.get(pk=acme.pk).original_id == ""  # skipped, not waited for
    finally:
        release.set()
        holder.join(20)
    WeChatClient(acme).post(text("hi", from_user="oAfter", to_user="gh_real"))
    assert Account.objects.get(pk=acme.pk).original_id == "gh_real"


# --- keywords with their mode ---------------------------------------------------------


def test_the_rule_list_shows_each_keyword_with_its_modes_badge(operator, acme):
    rule(acme, "hours", keywords=(("exact", "几点开门"), ("contains", "营业"), ("regex", "^开门")))
    page = operator.get(RULES, headers=ZH).content.decode()
    cell = re.search(r'<td class="field-keyword_list">(.*?)</td>', page, re.S).group(1)
    badges = re.findall(
        r'<span class="keyword-badge keyword-(\w+)">([^<]+)</span> ([^<]+)</span>', cell
    )
    assert badges == [
        ("exact", "全匹配", "几点开门"),
        ("contains", "半匹配", "营业"),
        ("regex", "正则", "^开门"),
    ]


def test_many_keywords_are_counted_and_patterns_escaped(operator, acme):
    patterns = ["<b>a</b>", "b", "c", "d", "e", "f"]
    rule(acme, "many", keywords=tuple(("contains", p) for p in patterns))
    page = operator.get(RULES).content.decode()
    cell = re.search(r'<td class="field-keyword_list">(.*?)</td>', page, re.S).group(1)
    assert "&lt;b&gt;a&lt;/b&gt;" in cell and "<b>a" not in cell
    assert cell.count("keyword-badge") == 4 and cell.endswith(" (+2)")


def test_a_rule_without_keywords_shows_a_dash(operator, acme):
    rule(acme, "silent")
    page = operator.get(f"{RULES}?{urlencode({'q': 'silent'})}").content.decode()
    assert '<td class="field-keyword_list">—</td>' in page
