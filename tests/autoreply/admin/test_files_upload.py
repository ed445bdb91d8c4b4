"""Files from the browser: upload, preview what would change, confirm; export and import
back. Real HTTP through Django's test client, real PostgreSQL, the files operators save."""

import json
import re
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from autoreply.files.rules_export import export_rules
from autoreply.models import Account, LookupEntry, PendingUpload, Rule
from tests.factories import account, text_rule

DATA = Path(__file__).resolve().parents[2] / "data" / "csv"
FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"


def import_url(kind: str) -> str:
    return reverse("admin:autoreply_rule_import", args=[kind])


def upload(client, kind: str, acct, name: str, content: bytes, **options):
    """POST the upload form; the response is the preview (followed) or the form again."""
    file = SimpleUploadedFile(name, content)
    data = {"account": acct.pk, "file": file, **options}
    return client.post(import_url(kind), data, follow=True)


def upload_path(client, kind: str, acct, path: Path, **options):
    return upload(client, kind, acct, path.name, path.read_bytes(), **options)


def confirm(client, response):
    """Press the preview's confirm button: the form posts nothing but its CSRF token."""
    return client.post(response.request["PATH_INFO"], {"confirm": "1"}, follow=True)


def listed(html: str, element_id: str) -> list[str]:
    """The items of the list with this id on the page."""
    found = re.search(rf'<ul id="{element_id}">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1), re.S) if found else []


def text_of(response) -> str:
    return response.content.decode()


def answers(acct) -> dict[str, str]:
    """{rule name: its one reply's text}."""
    return {r.name: r.replies.get().content for r in acct.rules.prefetch_related("replies")}


@pytest.mark.parametrize("name", ["faq__utf8.csv", "faq__tab.csv", "faq__semicolon.csv"])
def test_a_faq_csv_is_previewed_then_applied(operator, acme, name):
    preview = upload_path(operator, "faq", acme, DATA / name)
    html = text_of(preview)
    assert preview.status_code == 200 and 'id="confirm-button"' in html
    assert "FAQ: 营业时间" in listed(html, "rules-added")
    assert not Rule.objects.exists()  # nothing until confirmed
    done = confirm(operator, preview)
    assert done.redirect_chain[-1][0].startswith(reverse("admin:autoreply_rule_changelist"))
    assert answers(acme)["FAQ: 营业时间"] == "周一至周六 9:00-18:00, 周日休息"
    assert f"Imported {name} into Acme: " in text_of(done)
    assert not PendingUpload.objects.exists()


def test_an_xlsx_faq(operator, acme, bot, tmp_path):
    book = openpyxl.Workbook()
    book.active.append(("问题", "答案"))
    book.active.append(("几点开门", "九点"))
    book.save(tmp_path / "faq.xlsx")
    preview = upload_path(operator, "faq", acme, tmp_path / "faq.xlsx", mode="contains")
    assert listed(text_of(preview), "rules-added") == ["FAQ: 几点开门"]
    confirm(operator, preview)
    assert bot.say("请问几点开门").content == "九点"  # contains, as chosen


def test_the_stored_workbook(operator, acme):
    preview = upload_path(operator, "faq", acme, DATA / "faq__workbook.xlsx")
    assert sorted(listed(text_of(preview), "rules-added")) == [
        "FAQ: 18546",
        "FAQ: 营业时间",
        "FAQ: 运费",
    ]


def test_a_bad_file_shows_every_problem_and_keeps_nothing(operator, acme):
    text_rule(acme, "kept", "still here", ("exact", "hi"))
    response = upload_path(operator, "faq", acme, DATA / "faq__missing_answer.csv")
    html = text_of(response)
    assert response.redirect_chain == [] and 'id="confirm-button"' not in html
    assert listed_errors(html) == ["faq__missing_answer.csv, row 4: the answer is empty"]
    assert list(acme.rules.values_list("name", flat=True)) == ["kept"]
    assert not PendingUpload.objects.exists()


def listed_errors(html: str) -> list[str]:
    found = re.search(r'<ul class="errorlist" id="import-errors">(.*?)</ul>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", found.group(1), re.S) if found else []


def test_a_rules_file_with_every_problem_listed(operator, acme):
    document = {"accounts": [{"slug": "acme", "rules": [{"name": "x", "priority": "high"}, {}]}]}
    response = upload(operator, "rules", acme, "rules.json", json.dumps(document).encode())
    assert listed_errors(text_of(response)) == [
        "account &#x27;acme&#x27;, rules[0], priority: expected a whole number, "
        "got &#x27;high&#x27;",
        "account &#x27;acme&#x27;, rules[1], name: required",
    ]


def test_the_preview_shows_added_changed_and_removed(operator, acme):
    text_rule(acme, "same", "unchanged", ("exact", "same"))
    text_rule(acme, "edited", "old answer", ("exact", "edit"))
    text_rule(acme, "gone", "bye", ("exact", "gone"))
    document = json.loads(export_rules(["acme"]))
    rules = document["accounts"][0]["rules"]
    rules[:] = [r for r in rules if r["name"] != "gone"]
    next(r for r in rules if r["name"] == "edited")["replies"][0]["content"] = "new answer"
    rules.append({"name": "new", "keywords": [{"mode": "exact", "pattern": "new"}]})
    raw = json.dumps(document).encode()
    preview = upload(operator, "rules", acme, "rules.json", raw, replace="on")
    html = text_of(preview)
    assert listed(html, "rules-added") == ["new"]
    assert listed(html, "rules-changed") == ["edited"]
    assert listed(html, "rules-removed") == ["gone"]
    assert "1 rule in the file is unchanged." in html
    assert sorted(answers(acme)) == ["edited", "gone", "same"]  # nothing applied yet
    confirm(operator, preview)
    assert sorted(acme.rules.values_list("name", flat=True)) == ["edited", "new", "same"]
    assert acme.rules.get(name="edited").replies.get().content == "new answer"
    assert not acme.rules.filter(name="gone").exists()


def test_the_export_downloads_and_imports_back_unchanged(operator, demo):
    response = operator.get(reverse("admin:autoreply_rule_export") + f"?account={demo.pk}")
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="rules-demo.json"'
    assert response.content.decode() == export_rules(["demo"])
    assert "token" not in json.loads(response.content)["accounts"][0]  # no secrets
    preview = upload(operator, "rules", demo, "rules-demo.json", response.content, replace="on")
    html = text_of(preview)
    assert 'id="nothing-to-change"' in html and 'id="confirm-button"' not in html


def test_the_export_without_an_account_asks_for_one(operator, demo):
    response = operator.get(reverse("admin:autoreply_rule_export"))
    assert response.status_code == 200 and 'id="export-form"' in text_of(response)


def test_a_rules_file_for_another_account_is_refused(operator, acme, demo):
    response = upload(operator, "rules", acme, "rules.json", export_rules(["demo"]).encode())
    assert listed_errors(text_of(response)) == [
        "the file holds the accounts &#x27;demo&#x27;; uploaded here it must hold only the "
        "account &#x27;acme&#x27; (change the file&#x27;s slug, or ask an engineer to import "
        "it with import_rules)"
    ]
    assert not acme.rules.exists()


def test_a_lookup_table_shows_its_counts(operator, acme):
    preview = upload_path(operator, "lookup", acme, DATA / "lookup__workpieces.csv", table="parts")
    row = re.search(r'<tr id="lookup-parts">(.*?)</tr>', text_of(preview), re.S).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", row) == ["parts", "3", "0", "0", "0"]
    assert not LookupEntry.objects.exists()
    done = confirm(operator, preview)
    assert done.redirect_chain[-1][0].startswith(reverse("admin:autoreply_lookuptable_changelist"))
    assert LookupEntry.objects.filter(table__account=acme, table__name="parts").count() == 3
    again = upload_path(
        operator, "lookup", acme, DATA / "lookup__tab.csv", table="parts", replace="on"
    )
    row = re.search(r'<tr id="lookup-parts">(.*?)</tr>', text_of(again), re.S).group(1)
    assert re.findall(r"<td[^>]*>(.*?)</td>", row) == ["parts", "0", "0", "1", "2"]


def test_a_lookup_table_name_is_checked(operator, acme):
    response = upload_path(operator, "lookup", acme, DATA / "lookup__workpieces.csv", table="a b")
    assert listed_errors(text_of(response))[0].startswith("table name &#x27;a b&#x27;: ")


def test_the_platform_s_export(operator, acme):
    preview = upload_path(operator, "platform", acme, FIXTURES / "platform-autoreply.json")
    added = listed(text_of(preview), "rules-added")
    assert {"platform: 被关注回复", "platform: 收到消息回复"} <= set(added)
    confirm(operator, preview)
    assert acme.rules.filter(name="platform: 被关注回复", event="subscribe").exists()


def test_the_confirmation_applies_the_stored_file_whatever_the_browser_sends(operator, acme):
    preview = upload_path(operator, "faq", acme, DATA / "faq__utf8.csv")
    other = SimpleUploadedFile("evil.csv", b"hacked,yes\n")
    operator.post(preview.request["PATH_INFO"], {"confirm": "1", "file": other})
    assert "FAQ: hacked" not in answers(acme) and "FAQ: 发票" in answers(acme)


def test_a_preview_made_stale_is_shown_again_not_applied(operator, acme):
    document = {"accounts": [{"slug": "acme", "rules": []}]}
    preview = upload(
        operator, "rules", acme, "empty.json", json.dumps(document).encode(), replace="on"
    )
    assert 'id="nothing-to-change"' in text_of(preview)
    text_rule(acme, "added meanwhile", "hello", ("exact", "hi"))
    response = confirm(operator, preview)
    html = text_of(response)
    assert "changed since this preview; nothing was applied" in html
    assert listed(html, "rules-removed") == ["added meanwhile"]
    assert acme.rules.filter(name="added meanwhile").exists()
    confirm(operator, response)
    assert not acme.rules.exists()


def test_someone_else_s_or_an_expired_upload_is_not_found(operator, acme, client_factory):
    preview = upload_path(operator, "faq", acme, DATA / "faq__utf8.csv")
    url = preview.request["PATH_INFO"]
    User.objects.create_superuser("other", password="another pass phrase")
    other = client_factory()
    other.login(username="other", password="another pass phrase")
    assert other.get(url).status_code == 404
    assert other.post(url, {"confirm": "1"}).status_code == 404
    PendingUpload.objects.update(created_at=timezone.now() - timedelta(hours=2))
    assert operator.post(url, {"confirm": "1"}).status_code == 404
    assert not acme.rules.exists()


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def staff(client, *codenames: str, of: tuple = ()):
    """Log in a staff user with these permissions, an operator of the accounts `of` (all
    accounts when none are given)."""
    user = User.objects.create_user("staff", password="a staff pass phrase", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(codename__in=codenames))
    for given in of or Account.objects.all():
        given.operators.add(user)
    client.login(username="staff", password="a staff pass phrase")
    return client


def test_a_staff_user_cannot_import_into_or_export_another_account(client, acme):
    other = Account.objects.create(slug="other", name="Other", app_id="wx1", token="t")
    staff(client, "add_rule", "change_rule", "view_rule", "delete_rule", of=(acme,))
    refused = upload_path(client, "faq", other, DATA / "faq__utf8.csv")
    assert not other.rules.exists()
    assert "Other" not in text_of(refused)
    export = reverse("admin:autoreply_rule_export")
    assert client.get(export, {"account": other.pk}).status_code in (200, 404)
    assert (
        b"rules-other"
        not in client.get(export, {"account": other.pk}).get("Content-Disposition", "").encode()
    )


def test_only_those_who_may_change_rules_may_upload(client, acme):
    staff(client, "view_rule")
    assert client.get(import_url("faq")).status_code == 403
    assert (
        client.get(reverse("admin:autoreply_rule_export") + f"?account={acme.pk}").status_code
        == 200
    )


def test_the_lookup_upload_needs_the_lookup_permission(client, acme):
    staff(client, "change_rule")
    assert client.get(import_url("lookup")).status_code == 403
    assert client.get(import_url("faq")).status_code == 200


def test_a_change_the_user_may_not_make_is_refused(client, acme):
    staff(client, "change_rule", "view_rule")  # may change rules, not add them
    response = upload_path(client, "faq", acme, DATA / "faq__utf8.csv")
    assert listed_errors(text_of(response)) == [
        "You may not make every change this file makes (lacking: autoreply.add_rule)."
    ]
    assert not PendingUpload.objects.exists()


def test_an_unknown_kind_or_account_is_not_found(operator, acme):
    assert operator.get(import_url("pictures")).status_code == 404
    response = operator.post(
        import_url("faq"), {"account": 999, "file": SimpleUploadedFile("a.csv", b"a,b")}
    )
    assert 'id="confirm-button"' not in text_of(response)
    assert "Select a valid choice" in text_of(response)


def test_the_links_are_where_an_operator_looks(operator, acme):
    ids = [
        "import-rules-link",
        "import-faq-link",
        "import-lookup-link",
        "import-platform-link",
        "export-rules-link",
    ]
    rules = text_of(
        operator.get(reverse("admin:autoreply_rule_changelist") + f"?account__id__exact={acme.pk}")
    )
    account_page = text_of(operator.get(reverse("admin:autoreply_account_change", args=[acme.pk])))
    for html in (rules, account_page):
        for element_id in ids:
            assert re.search(rf'href="[^"]*\?account={acme.pk}" id="{element_id}"', html), (
                element_id
            )
    tables = text_of(operator.get(reverse("admin:autoreply_lookuptable_changelist")))
    assert 'id="import-lookup-link"' in tables
    form = text_of(operator.get(import_url("lookup") + f"?account={acme.pk}"))
    assert f'<option value="{acme.pk}" selected>' in form


def test_the_pages_speak_chinese(operator, acme):
    from tests.autoreply.admin.test_language import ZH, english_on

    account("shop", name="门店")
    for kind in ("rules", "faq", "lookup", "platform"):
        page = operator.get(import_url(kind), headers=ZH)
        assert english_on(text_of(page)) == [], kind
    preview = operator.post(
        import_url("faq"),
        {"account": acme.pk, "file": SimpleUploadedFile("faq.csv", "你好,您好\n".encode())},
        headers=ZH,
        follow=True,
    )
    assert "导入常见问题表" in text_of(preview) and english_on(text_of(preview)) == []
    export = operator.get(reverse("admin:autoreply_rule_export"), headers=ZH)
    assert english_on(text_of(export)) == []


def test_a_file_that_changes_the_account_s_settings_says_so(operator, client, acme):
    document = {"accounts": [{"slug": "acme", "name": "Acme Ltd", "encryption_mode": "safe"}]}
    raw = json.dumps(document).encode()
    html = text_of(upload(operator, "rules", acme, "rules.json", raw))
    assert listed(html, "settings-changed") == ["name", "message encryption mode"]
    staff(client, "add_rule", "change_rule", "view_rule")
    refused = upload(client, "rules", acme, "rules.json", raw)
    assert "lacking: autoreply.change_account" in listed_errors(text_of(refused))[0]


def test_an_upload_is_confirmed_only_by_who_uploaded_it(client, acme):
    staff(client, "add_rule", "change_rule", "view_rule", "delete_rule")
    preview = upload_path(client, "faq", acme, DATA / "faq__utf8.csv")
    assert preview.status_code == 200 and not acme.rules.exists()
    User.objects.create_superuser("boss", password="a long pass phrase")
    client.login(username="boss", password="a long pass phrase")
    assert confirm(client, preview).status_code == 404
    assert not acme.rules.exists()
