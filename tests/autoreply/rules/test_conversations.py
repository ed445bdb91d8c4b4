"""Conversations in the rules file (defaults, round trip, refusals naming the field and a
warning for a conversation nothing starts), in matching, on the try page and in the
rule editor and list."""

import json
import re

import pytest
from django.contrib.auth.models import Permission, User
from django.core.management import CommandError

from autoreply.models import Rule
from autoreply.rules.conversations import ContextChange, FollowerContext, change_of
from autoreply.rules.matching import RuleIndex, RuleSpec
from autoreply.rules.trial import Attempt, try_message
from tests.autoreply.admin.test_admin import ADD, errors, rule_form
from tests.autoreply.files.test_rules_file import contract_example, export, import_file
from tests.factories import account, rule, text_rule
from wechat.messages import parse_message
from wechat.xmlwriter import write_xml

STARTS = {"name": "workpiece", "seconds": 300}


def with_rules(*rules: dict) -> dict:
    document = contract_example()
    first = document["accounts"][0]["rules"][0]
    document["accounts"][0]["rules"] = [{**first, **rules[0]}, *rules[1:]]
    return document


def exported_rules() -> dict[str, dict]:
    rules = json.loads(export("--with-secrets"))["accounts"][0]["rules"]
    return {data["name"]: data for data in rules}


def test_left_out_they_mean_no_conversation(db, tmp_path):
    import_file(tmp_path, contract_example())
    stored = Rule.objects.get()
    assert (stored.requires_context, stored.sets_context, stored.clears_context) == (
        "",
        None,
        False,
    )
    exported = exported_rules()["opening hours"]
    assert (exported["requires_context"], exported["sets_context"]) == (None, None)
    assert exported["clears_context"] is False
    keys = list(exported)
    assert keys.index("schedule") < keys.index("requires_context") < keys.index("replies")


def test_imported_exported_and_imported_again_unchanged(db, tmp_path):
    document = with_rules(
        {"sets_context": STARTS},
        {"name": "number", "requires_context": "workpiece", "keywords": [], "replies": []},
        {"name": "leave", "requires_context": "workpiece", "clears_context": True},
    )
    report = import_file(tmp_path, document)
    assert "warning" not in report
    rules = {r.name: r for r in Rule.objects.all()}
    assert rules["opening hours"].sets_context == STARTS
    assert rules["number"].requires_context == "workpiece"
    assert rules["leave"].clears_context is True
    first = export("--with-secrets")
    assert exported_rules()["number"]["requires_context"] == "workpiece"
    Rule.objects.all().delete()
    import_file(tmp_path, json.loads(first))
    assert export("--with-secrets") == first
    assert "3 unchanged" in import_file(tmp_path, json.loads(first))


REJECTIONS = {
    "no lifetime": ({"sets_context": {"name": "workpiece"}}, "sets_context: Say how long"),
    "a lifetime of 0": (
        {"sets_context": {"name": "workpiece", "seconds": 0}},
        "sets_context: Say how long",
    ),
    "a lifetime that is text": (
        {"sets_context": {"name": "workpiece", "seconds": "300"}},
        "sets_context: Say how long",
    ),
    "no name": ({"sets_context": {"seconds": 300}}, "sets_context: Give the conversation a name"),
    "not an object": ({"sets_context": "workpiece"}, "rules[0], sets_context: expected an object"),
    "an unknown key": (
        {"sets_context": {"name": "w", "seconds": 5, "until": "18:00"}},
        'sets_context: expected {"name": "workpiece", "seconds": 300}, or null',
    ),
    "starts and ends at once": (
        {"sets_context": STARTS, "clears_context": True},
        "clears_context: A rule either starts a conversation or ends one",
    ),
    "a name too long": ({"requires_context": "x" * 65}, "requires_context:"),
    "spaces around a name": ({"requires_context": " workpiece"}, "requires_context: The conv"),
    "ends that is not true or false": ({"clears_context": "yes"}, "clears_context: expected true"),
}


@pytest.mark.parametrize("name", REJECTIONS)
def test_refusals_name_the_rule_and_field_and_write_nothing(db, tmp_path, name):
    fields, expected = REJECTIONS[name]
    with pytest.raises(CommandError) as error:
        import_file(tmp_path, with_rules(fields))
    assert expected in str(error.value)
    assert "account 'demo', rule" in str(error.value) or "rules[0]" in expected
    assert not Rule.objects.exists()


def test_a_conversation_nothing_starts_is_warned_of(db, tmp_path):
    report = import_file(tmp_path, with_rules({"requires_context": "workpeice"}))
    assert "warning: account 'demo', rule 'opening hours'" in report
    assert "“workpeice”, which no rule of this account starts" in report
    assert Rule.objects.get().requires_context == "workpeice"  # a warning, not a refusal


def inbound(content: str) -> object:
    document = {"ToUserName": "gh", "FromUserName": "o", "CreateTime": 1, "MsgType": "text"}
    return parse_message(write_xml({**document, "MsgId": 1, "Content": content}))


def test_matching_leaves_out_rules_of_other_conversations():
    index = RuleIndex(
        [
            RuleSpec(1, "number", 10, "text", requires_context="workpiece"),
            RuleSpec(2, "order", 5, "text", requires_context="order"),
            RuleSpec(3, "anyone", 0, "text"),
        ]
    )
    names = lambda **kw: [hit.rule.name for hit in index.candidates(inbound("1"), **kw)]  # noqa: E731
    assert names() == ["anyone"]
    assert names(context="workpiece") == ["number", "anyone"]
    assert names(context="order") == ["order", "anyone"]
    assert names(any_context=True) == ["number", "order", "anyone"]
    assert index.uses_context
    assert not RuleIndex([RuleSpec(3, "anyone", 0, "text")]).uses_context


def test_a_rules_change_and_the_followers_state():
    assert change_of(STARTS, False) == ContextChange("workpiece", 300)
    assert change_of(None, True) == ContextChange()
    assert change_of(None, False) is None
    assert ContextChange("workpiece", 300).until(1000) == 1300
    assert ContextChange().until(1000) is None
    stored = FollowerContext("workpiece", 1300.0)
    assert (stored.at(1299), stored.at(1300), FollowerContext().at(0)) == ("workpiece", "", "")


def test_the_try_page_tries_in_a_conversation(acme):
    rule(acme, "start", keywords=(("exact", "查询工件"),), replies=("请输入工件号",),
         sets_context=STARTS)  # fmt: skip
    text_rule(acme, "number", "第 {{ match.1 }} 号在 {{ context }}", ("regex", r"^(\d+)$"),
              requires_context="workpiece")  # fmt: skip
    outside = try_message(acme, Attempt(text="18"))
    assert outside.winner is None
    assert [hit.rule.name for hit in outside.elsewhere] == ["number"]
    inside = try_message(acme, Attempt(text="18", context="workpiece"))
    assert inside.winner.rule.name == "number"
    assert "第 18 号在 workpiece" in inside.decision.reply.decode()
    started = try_message(acme, Attempt(text="查询工件"))
    assert started.decision.change == ContextChange("workpiece", 300)


def test_the_editor_saves_a_conversation_as_a_name_and_seconds(operator, acme):
    data = rule_form(
        acme,
        "start",
        keywords=[("exact", "查询工件")],
        replies=[{"type": "text", "content": "请输入工件号"}],
        sets_context_0="workpiece",
        sets_context_1="300",
    )
    response = operator.post(ADD, data)
    assert response.status_code == 302, errors(response)
    assert Rule.objects.get().sets_context == STARTS
    page = operator.get(f"/admin/autoreply/rule/{Rule.objects.get().pk}/change/").content.decode()
    assert 'name="sets_context_0" value="workpiece"' in page
    assert 'name="sets_context_1" value="300"' in page
    assert '<option value="workpiece">' in page  # suggested for rules in the conversation


def test_the_editor_refuses_a_conversation_without_a_lifetime(operator, acme):
    data = rule_form(acme, "start", sets_context_0="workpiece", sets_context_1="")
    response = operator.post(ADD, data)
    assert response.status_code == 200
    assert "Say how long the conversation lasts" in errors(response)
    assert not Rule.objects.exists()


def test_the_editor_warns_of_a_conversation_nothing_starts(operator, acme):
    data = rule_form(acme, "number", requires_context="workpiece")
    response = operator.post(ADD, data, follow=True)
    assert "which no rule of this account starts" in response.content.decode()
    assert Rule.objects.get().requires_context == "workpiece"


def test_the_rule_list_shows_conversation_badges(operator, acme):
    rule(acme, "start", sets_context=STARTS)
    rule(acme, "number", requires_context="workpiece")
    rule(acme, "leave", clears_context=True)
    page = operator.get("/admin/autoreply/rule/").content.decode()
    badges = re.findall(r'<span class="rule-conversation-badge">💬 (.*?)</span>', page)
    assert sorted(badges) == sorted(
        ["starts “workpiece” for 300 s", "only in “workpiece”", "ends the conversation"]
    )


def test_the_try_page_form_takes_a_conversation(operator, acme):
    rule(acme, "start", keywords=(("exact", "go"),), replies=("ok",), sets_context=STARTS)
    text_rule(acme, "number", "found", ("regex", r"^\d+$"), requires_context="workpiece")
    query = {"account": acme.pk, "kind": "text", "text": "7", "context": "workpiece", "try": 1}
    page = operator.get("/admin/autoreply/rule/try/", query).content.decode()
    assert re.search(r'id="trial-winner">.*?<strong>number</strong>', page, re.S)
    page = operator.get("/admin/autoreply/rule/try/", {**query, "text": "go", "context": ""})
    assert "in the conversation “workpiece” for 300 seconds" in page.content.decode()


def test_suggested_conversations_are_only_the_users_accounts(client, acme):
    other = account("other")
    rule(acme, "ours", sets_context={"name": "workpiece", "seconds": 60})
    rule(other, "theirs", sets_context={"name": "secret-campaign", "seconds": 60})
    user = User.objects.create_user("staff", password="a long pass phrase", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="autoreply"))
    acme.operators.add(user)
    client.login(username="staff", password="a long pass phrase")
    for page in ("/admin/autoreply/rule/try/", "/admin/autoreply/rule/add/"):
        html = client.get(page).content.decode()
        assert '<option value="workpiece">' in html, page
        assert "secret-campaign" not in html, page
