"""History and undo: every change to a rule (with its keywords, replies and articles) or
to a lookup table, from the admin, the importers and the commands, records who, when and
from where; an operator views an earlier version and restores it after confirming, and
the restore is a change of its own. The webhook records nothing."""

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse

from autoreply.choices import ChangeSource
from autoreply.files.rules_export import rule_data
from autoreply.files.rules_import import import_rules
from autoreply.history.authorship import changes_by
from autoreply.history.lookup_versions import entries_at
from autoreply.lookups import tables
from autoreply.models import LookupTable, LookupVersion, Rule, RuleVersion
from tests.autoreply.admin.test_admin import errors, management, rule_form
from tests.autoreply.admin.test_language import ZH, english_on
from tests.factories import rule

pytestmark = pytest.mark.django_db
NEWS = {"type": "news", "articles": [{"title": "开门", "url": "https://e.cn/a"}]}


@pytest.fixture
def operator(client, db):
    user = User.objects.create_superuser("operator", password="a long pass phrase")
    client.force_login(user)
    client.user = user
    return client


def versions(rule: Rule) -> list[RuleVersion]:
    return list(RuleVersion.objects.filter(rule_id=rule.pk).order_by("pk"))


def edit_form(rule: Rule, **fields) -> dict[str, str]:
    """The rule page's POST for `rule` as stored, with `fields` changed."""
    keywords = list(rule.keywords.all())
    name = fields.pop("name", rule.name)
    data = rule_form(rule.account, name, msg_type=rule.msg_type, **fields)
    data.update(management("keywords", len(keywords), len(keywords)))
    for i, keyword in enumerate(keywords):
        data.update({f"keywords-{i}-id": keyword.pk, f"keywords-{i}-rule": rule.pk})
        data.update({f"keywords-{i}-mode": keyword.mode, f"keywords-{i}-pattern": keyword.pattern})
    return data


def test_adding_and_editing_in_the_admin_records_who_and_what(operator, acme):
    add = rule_form(acme, "hours", keywords=[("contains", "开门")], replies=[NEWS], msg_type="text")
    assert operator.post(reverse("admin:autoreply_rule_add"), add).status_code == 302
    created = Rule.objects.get(name="hours")
    (first,) = versions(created)
    assert (first.kind, first.source, first.user) == ("created", "admin", operator.user)
    assert first.data == rule_data(created)
    assert first.data["replies"][0]["articles"][0]["title"] == "开门"
    change = reverse("admin:autoreply_rule_change", args=[created.pk])
    response = operator.post(change, edit_form(created, priority=5))
    assert response.status_code == 302, errors(response)
    operator.post(change, edit_form(created, priority=5))  # saved unchanged: no version
    first, second = versions(created)
    assert (second.kind, second.data["priority"], second.data["keywords"]) == (
        "changed",
        5,
        [{"mode": "contains", "pattern": "开门"}],
    )


def test_a_rule_from_before_history_keeps_how_it_was(operator, acme):
    legacy = rule(acme, "legacy", keywords=(("exact", "旧"),), replies=("old answer",))
    as_it_was = rule_data(legacy)
    change = reverse("admin:autoreply_rule_change", args=[legacy.pk])
    assert operator.post(change, edit_form(legacy, priority=3)).status_code == 302
    before, after = versions(legacy)
    assert (before.kind, before.user, before.data) == ("before", None, as_it_was)
    assert (after.kind, after.user, after.data["priority"]) == ("changed", operator.user, 3)


def test_actions_record_what_they_change_copy_and_delete(operator, acme):
    hours = rule(acme, "hours", keywords=(("exact", "几点"),), replies=("九点",))
    changelist = reverse("admin:autoreply_rule_changelist")
    act = {"_selected_action": [hours.pk], "index": "0"}
    operator.post(changelist, {**act, "action": "disable"})
    assert [v.kind for v in versions(hours)] == ["before", "changed"]
    assert versions(hours)[-1].data["enabled"] is False
    operator.post(changelist, {**act, "action": "duplicate"})
    copy = Rule.objects.get(name="hours (copy)")
    assert [(v.kind, v.user) for v in versions(copy)] == [("created", operator.user)]
    operator.post(changelist, {**act, "action": "delete_selected", "post": "yes"})
    assert not Rule.objects.filter(pk=hours.pk).exists()
    assert versions(hours)[-1].kind == "deleted"


def test_a_deleted_rule_comes_back_with_its_parts_and_its_history(operator, acme):
    hours = rule(acme, "hours", keywords=(("exact", "几点"),), replies=(NEWS, "九点"))
    as_it_was = rule_data(hours)
    operator.post(reverse("admin:autoreply_rule_delete", args=[hours.pk]), {"post": "yes"})
    deleted = versions(hours)[-1]
    restore = reverse("admin:autoreply_ruleversion_restore", args=[deleted.pk])
    page = operator.get(restore).content.decode()
    assert "Yes, restore it" in page and "It has been deleted since." in page
    response = operator.post(restore)
    back = Rule.objects.get(account=acme, name="hours")
    assert response.url == reverse("admin:autoreply_rule_change", args=[back.pk])
    assert rule_data(back) == as_it_was  # keywords, replies and articles as they were
    kinds = [(v.kind, v.source) for v in versions(back)]
    assert kinds == [("deleted", "admin"), ("created", "restore")]
    assert versions(back)[-1].detail.startswith(f"#{deleted.pk} (")


def test_an_earlier_version_is_viewed_then_restored_after_confirming(operator, acme):
    hours = rule(acme, "hours", keywords=(("exact", "几点"),), replies=("九点",))
    change = reverse("admin:autoreply_rule_change", args=[hours.pk])
    operator.post(change, edit_form(hours, priority=7, name="opening hours"))
    renamed = Rule.objects.get(pk=hours.pk)
    assert renamed.name == "opening hours"
    history = operator.get(reverse("admin:autoreply_rule_history", args=[hours.pk]))
    assert history.content.decode().count('class="version-link"') == 2
    earlier = versions(hours)[0]
    page = operator.get(reverse("admin:autoreply_ruleversion_change", args=[earlier.pk]))
    differing = [row.label for row in page.context["rows"] if row.differs]
    assert differing == ["Rule name", "Priority"]
    restore = reverse("admin:autoreply_ruleversion_restore", args=[earlier.pk])
    assert operator.get(restore).status_code == 200
    assert Rule.objects.get(pk=hours.pk).name == "opening hours"  # nothing without a POST
    operator.post(restore)
    back = Rule.objects.get(pk=hours.pk)  # the same rule, renamed back
    assert (back.name, back.priority) == ("hours", 0)
    assert [k.pattern for k in back.keywords.all()] == ["几点"]
    last = versions(hours)[-1]
    assert (last.kind, last.source, last.user) == ("changed", "restore", operator.user)


def test_a_restore_that_would_overwrite_another_rule_is_refused(operator, acme):
    hours = rule(acme, "hours", replies=("九点",))
    import_rules({"accounts": [{"slug": "acme", "rules": [{"name": "hours"}]}]})
    Rule.objects.filter(pk=hours.pk).update(name="old hours")
    rule(acme, "hours", replies=("another",))
    earlier = versions(hours)[0]
    response = operator.post(
        reverse("admin:autoreply_ruleversion_restore", args=[earlier.pk]), follow=True
    )
    assert "Another rule of this account is called “hours” now" in response.content.decode()
    assert Rule.objects.get(pk=hours.pk).name == "old hours"


def test_imports_and_commands_record_their_source(acme, tmp_path):
    document = {"accounts": [{"slug": "acme", "rules": [{"name": "a"}, {"name": "b"}]}]}
    import_rules(document)
    assert set(RuleVersion.objects.values_list("kind", "source", "user")) == {
        ("created", "import", None)
    }
    path = tmp_path / "rules.json"
    document["accounts"][0]["rules"] = [{"name": "a", "priority": 2}]
    path.write_text(json.dumps(document))
    call_command("import_rules", str(path), "--replace", stdout=io.StringIO())
    a, b = Rule.objects.get(name="a"), RuleVersion.objects.filter(name="b").first()  # newest
    latest = versions(a)[-1]
    assert (latest.kind, latest.source, latest.user) == ("changed", "command", None)
    assert latest.detail == f"import_rules {path} --replace"
    assert (b.kind, b.source, b.detail) == ("deleted", "command", latest.detail)
    count = RuleVersion.objects.count()
    call_command("import_rules", str(path), stdout=io.StringIO())  # unchanged: nothing
    assert RuleVersion.objects.count() == count


def test_lookup_changes_are_recorded_as_differences(acme, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("key,value\n18-546,车体新厂房3号\n18-547,总装车间\n")
    call_command("import_lookup", "parts", str(first), "--account", "acme", "--quiet")
    second = tmp_path / "second.csv"
    second.write_text("key,value\n18-546,车体新厂房4号\n19-1,新\n")
    command = ["import_lookup", "parts", str(second), "--account", "acme", "--replace"]
    call_command(*command, "--quiet", stdout=io.StringIO())
    created, changed = LookupVersion.objects.order_by("pk")
    assert (created.kind, created.added, created.source) == ("created", 2, "command")
    assert (changed.added, changed.changed, changed.removed) == (1, 1, 1)
    assert changed.changes["18-546"] == [["18-546", "车体新厂房3号"], ["18-546", "车体新厂房4号"]]
    assert changed.detail == f"import_lookup parts {second} --replace"
    assert entries_at(created) == {
        "18-546": ("18-546", "车体新厂房3号"),
        "18-547": ("18-547", "总装车间"),
    }
    table = LookupTable.objects.get(name="parts")
    entries = tables.normalized_entries([("19-1", "新")], "test")
    tables.store(acme, "parts", entries, replace=False)  # unchanged: no version
    assert table.versions.count() == 2


def test_a_lookup_table_is_edited_deleted_and_restored_in_the_admin(operator, acme):
    entries = tables.normalized_entries([("a", "1"), ("b", "2")], "test")
    tables.store(acme, "parts", entries, replace=False)
    table = LookupTable.objects.get(name="parts")
    entry = table.entries.get(key="a")
    change = reverse("admin:autoreply_lookupentry_change", args=[entry.pk])
    data = {"table": table.pk, "key": "a", "value": "one"}
    assert operator.post(change, data).status_code == 302
    edit = table.versions.order_by("pk").last()
    assert (edit.changes, edit.user, edit.source) == (
        {"a": [["a", "1"], ["a", "one"]]},
        operator.user,
        "admin",
    )
    history = reverse("admin:autoreply_lookupentry_history", args=[entry.pk])
    assert operator.get(history).url == reverse(
        "admin:autoreply_lookuptable_history", args=[table.pk]
    )
    operator.post(reverse("admin:autoreply_lookuptable_delete", args=[table.pk]), {"post": "yes"})
    deleted = LookupVersion.objects.order_by("pk").last()
    assert (deleted.kind, deleted.removed) == ("deleted", 2)
    restore = reverse("admin:autoreply_lookupversion_restore", args=[deleted.pk])
    assert "2 added, 0 changed, 0 removed" in operator.get(restore).content.decode()
    operator.post(restore)
    back = LookupTable.objects.get(account=acme, name="parts")
    assert dict(back.entries.values_list("key", "value")) == {"a": "one", "b": "2"}
    assert back.versions.count() == 4  # created, edited, deleted, restored: one history
    first = back.versions.order_by("pk").first()
    operator.post(reverse("admin:autoreply_lookupversion_restore", args=[first.pk]))
    assert dict(back.entries.values_list("key", "value")) == {"a": "1", "b": "2"}


def test_the_history_pages_speak_chinese(client, acme):
    client.force_login(User.objects.create_superuser("operator", password="pw"))
    hours = rule(acme, "营业时间", keywords=(("exact", "几点"),), replies=("九点",))
    with changes_by(source=ChangeSource.COMMAND, detail="import_rules rules.json"):
        import_rules({"accounts": [{"slug": "acme", "rules": [{"name": "营业时间"}]}]})
    version = RuleVersion.objects.filter(rule_id=hours.pk).first()
    pages = [
        reverse("admin:autoreply_rule_history", args=[hours.pk]),
        reverse("admin:autoreply_ruleversion_change", args=[version.pk]),
        reverse("admin:autoreply_ruleversion_restore", args=[version.pk]),
        reverse("admin:autoreply_ruleversion_changelist"),
    ]
    for url in pages:
        page = client.get(url, headers=ZH).content.decode()
        assert english_on(page) == [], url
    assert "恢复此版本" in client.get(pages[1], headers=ZH).content.decode()


def test_the_webhook_records_no_history(wechat):
    count = RuleVersion.objects.count(), LookupVersion.objects.count()
    wechat.say("help")
    assert (RuleVersion.objects.count(), LookupVersion.objects.count()) == count
