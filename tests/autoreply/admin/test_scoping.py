"""Who sees what: a staff user given account A sees A's rules, replies, messages,
followers, lookup tables, media, sends and history, and nothing of account B: every
admin of the app (found by iterating the admin site, so that one registered tomorrow is
covered too) lists none of B's objects, 404s every URL of theirs, offers none of them in
forms, filters and autocompletes; the try page and the dashboard refuse B. Superusers
see everything. Every object of B carries a marker that no page of A's user may show."""

import json
import uuid

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission, User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from autoreply.admin.scoping import ScopedAdmin, account_path
from autoreply.choices import ChangeKind, ChangeSource
from autoreply.history import lookup_versions, rule_versions
from autoreply.models import (
    Account,
    Follower,
    LookupEntry,
    LookupTable,
    Media,
    Message,
    OutboundMessage,
    Rule,
)
from tests.autoreply.admin.test_admin import rule_form
from tests.factories import account, rule

pytestmark = pytest.mark.django_db

MARKER = "ZZBETA"  # in every name, text and value of account B's objects
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
ADMINS = sorted(
    (
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label == "autoreply"
    ),
    key=lambda pair: pair[0]._meta.model_name,
)
MODEL_NAMES = [model._meta.model_name for model, _ in ADMINS]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def everything(slug: str, mark: str) -> Account:
    """An account with one object of every kind the admin shows, each named with `mark`."""
    owner = account(slug, name=f"{slug} {mark}")
    kept = rule(
        owner,
        f"rule {mark}",
        keywords=(("exact", f"hi {mark}"),),
        replies=({"type": "news", "articles": [{"title": f"news {mark}", "url": "https://e.cn"}]},),
        msg_type="event",
        event=f"event{mark}",
    )
    message = Message.objects.create(
        account=owner,
        dedup_key=uuid.uuid4(),
        from_user=f"o{mark}",
        to_user=f"gh_{mark}",
        create_time=0,
        msg_type="event",
        event=f"event{mark}",
        text=f"said {mark}",
        raw_xml="<xml/>",
        status="reply",
        rule=kept,
    )
    Follower.objects.create(account=owner, openid=f"o{mark}")
    table = LookupTable.objects.create(account=owner, name=f"table{mark}", description=mark)
    LookupEntry.objects.create(table=table, key=f"key {mark}", value=f"value {mark}")
    Media.objects.create(
        account=owner,
        type="image",
        file=SimpleUploadedFile(f"{mark}.png", PNG),
        title=f"picture {mark}",
        media_id=f"media{mark}",
    )
    OutboundMessage.objects.create(
        account=owner,
        message=message,
        openid=f"o{mark}",
        reason="late",
        msgtype="text",
        payload={"text": {"content": mark}},
    )
    rule_versions.record([kept.pk], ChangeKind.CREATED, ChangeSource.ADMIN)
    lookup_versions.record(table, {f"key {mark}": (None, (f"key {mark}", mark))})
    return owner


@pytest.fixture
def alpha(db) -> Account:
    return everything("alpha", "ALPHA")


@pytest.fixture
def beta(db) -> Account:
    return everything("beta", MARKER)


def staff(name: str, *accounts: Account) -> User:
    """A staff user with every permission of the app, an operator of `accounts`."""
    user = User.objects.create_user(name, password="a long pass phrase", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="autoreply"))
    for given in accounts:
        given.operators.add(user)
    return user


@pytest.fixture
def alice(client, alpha, beta):
    """A staff user of account A, logged in."""
    client.force_login(staff("alice", alpha))
    return client


def of(model, owner: Account):
    """The object of `model` that belongs to `owner`."""
    path = account_path(model)
    found = model._default_manager.filter(**{path or "pk": owner.pk}).first()
    assert found is not None, f"add a {model.__name__} to `everything` in this test"
    return found


def shown(response) -> str:
    """The page, checked to show nothing of account B."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    page = body.decode(errors="replace")
    assert MARKER not in page, f"{response.request['PATH_INFO']} shows account B's data"
    return page


def object_urls(model_admin, obj, owner: Account) -> list[str]:
    """Every URL of the admin about one object: Django's and the admin's own pages."""
    urls = []
    for pattern in model_admin.get_urls():
        params = getattr(pattern.pattern, "converters", {})
        if not pattern.name or not params or {"kind", "token"} & set(params):
            continue  # the file pages: the account is a choice, an upload is the user's own
            # (both tested in test_files_upload.py)
        values = {}
        for param in params:
            if param in ("object_id", "pk"):
                values[param] = obj.pk
            elif param == "account_id":
                values[param] = owner.pk
            else:
                pytest.fail(f"teach this test what {param!r} of {pattern.name} names")
        urls.append(reverse(f"admin:{pattern.name}", kwargs=values))
    return urls


def test_every_admin_of_the_app_is_scoped():
    assert len(ADMINS) >= 8  # accounts, rules, the log, followers, lookups, media, sends
    for model, model_admin in ADMINS:
        assert isinstance(model_admin, ScopedAdmin), f"{model.__name__}'s admin is not scoped"
        assert account_path(model) is not None, f"{model.__name__} reaches no account"


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=MODEL_NAMES)
def test_a_list_shows_only_the_users_accounts(alice, alpha, beta, model, model_admin):
    url = reverse(f"admin:autoreply_{model._meta.model_name}_changelist")
    response = alice.get(url)
    assert response.status_code == 200
    listed = {obj.pk for obj in response.context["cl"].result_list}
    assert of(model, alpha).pk in listed
    assert of(model, beta).pk not in listed
    shown(response)
    # Filtering by B's account, or searching for B's words, by URL: still nothing of B's.
    path = account_path(model)
    lookup = f"{path}__id__exact" if path else "id__exact"
    shown(alice.get(url, {lookup: beta.pk}))
    shown(alice.get(url, {"q": "beta"}))


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=MODEL_NAMES)
def test_every_url_of_another_accounts_object_is_not_found(alice, alpha, beta, model, model_admin):
    for url in object_urls(model_admin, of(model, beta), beta):
        assert alice.get(url, follow=True).status_code == 404, url
        assert alice.post(url, {"post": "yes", "restore": "1"}).status_code == 404, url
    for url in object_urls(model_admin, of(model, alpha), alpha):
        response = alice.get(url, follow=True)
        assert response.status_code in (200, 403), url  # 403: e.g. deleting a version
        shown(response)
    assert of(model, beta)  # nothing of B's was deleted or changed by the POSTs
    assert Rule.objects.get(account=beta).name == f"rule {MARKER}"


@pytest.mark.parametrize(("model", "model_admin"), ADMINS, ids=MODEL_NAMES)
def test_an_add_form_offers_only_the_users_accounts(alice, alpha, beta, model, model_admin):
    response = alice.get(reverse(f"admin:autoreply_{model._meta.model_name}_add"))
    if response.status_code == 403:  # nothing to add here (logs, versions, accounts)
        return
    form = response.context["adminform"].form
    for name, field in form.fields.items():
        for obj in getattr(field, "queryset", None) or []:
            assert account_path(type(obj)) is None or obj != of(type(obj), beta), name
    shown(response)


def test_a_rule_cannot_be_added_to_another_account(alice, beta):
    before = Rule.objects.count()
    response = alice.post(reverse("admin:autoreply_rule_add"), rule_form(beta, "sneaky"))
    assert response.status_code == 200  # the form again, with the choice refused
    assert "account" in response.context["adminform"].form.errors
    assert Rule.objects.count() == before


def test_autocompletes_offer_only_the_users_accounts(alice, alpha, beta):
    asked = 0
    for model in apps.get_app_config("autoreply").get_models():
        for field in model._meta.get_fields():
            if not ((field.many_to_one or field.one_to_one) and field.concrete):
                continue
            target = admin.site._registry.get(field.related_model)
            if account_path(field.related_model) is None or not target or not target.search_fields:
                continue  # no autocomplete: nothing to ask
            query = {
                "app_label": "autoreply",
                "model_name": model._meta.model_name,
                "field_name": field.name,
                "term": "",
            }
            response = alice.get(reverse("admin:autocomplete"), query)
            assert response.status_code == 200, query
            shown(response)
            ids = {int(item["id"]) for item in json.loads(response.content)["results"]}
            assert of(field.related_model, alpha).pk in ids, query
            asked += 1
    assert asked >= 3


def test_the_try_page_and_the_dashboard_refuse_another_account(alice, alpha, beta):
    trial = reverse("admin:autoreply_rule_try")
    assert alice.get(trial, {"account": beta.pk, "kind": "text", "text": "hi"}).status_code == 404
    assert alice.get(trial, {"account": beta.pk}).status_code == 404
    assert alice.get(trial, {"account": "x"}).status_code == 404
    page = shown(alice.get(trial, {"account": alpha.pk, "kind": "text", "text": "hi ALPHA"}))
    assert "alpha ALPHA" in page
    shown(alice.get(trial))
    dashboard = "admin:autoreply_account_dashboard"
    assert alice.get(reverse(dashboard, args=[beta.pk])).status_code == 404
    shown(alice.get(reverse(dashboard, args=[alpha.pk])))
    shown(alice.get(reverse("admin:index")))


def test_actions_reach_only_the_users_objects(alice, alpha, beta):
    changelist = reverse("admin:autoreply_rule_changelist")
    ours, theirs = Rule.objects.get(account=alpha), Rule.objects.get(account=beta)
    data = {"action": "disable", "_selected_action": [ours.pk, theirs.pk], "index": "0"}
    assert alice.post(changelist, data).status_code == 302
    assert alice.post(changelist, {**data, "select_across": "1"}).status_code == 302
    assert not Rule.objects.get(pk=ours.pk).enabled
    assert Rule.objects.get(pk=theirs.pk).enabled


def test_a_media_picker_offers_only_the_users_media(alice, alpha, beta):
    page = shown(alice.get(reverse("admin:autoreply_rule_add")))
    assert "mediaALPHA" in page


def test_a_superuser_sees_every_account(client, alpha, beta):
    client.force_login(User.objects.create_superuser("root", password="pw"))
    for model, _model_admin in ADMINS:
        response = client.get(reverse(f"admin:autoreply_{model._meta.model_name}_changelist"))
        listed = {obj.pk for obj in response.context["cl"].result_list}
        assert {of(model, alpha).pk, of(model, beta).pk} <= listed, model.__name__
    trial = {"account": beta.pk, "kind": "text", "text": "hi"}
    assert client.get(reverse("admin:autoreply_rule_try"), trial).status_code == 200


def test_accounts_are_given_by_superusers(client, alice, alpha):
    change = reverse("admin:autoreply_account_change", args=[alpha.pk])
    assert "operators" not in alice.get(change).context["adminform"].form.fields
    assert alice.get(reverse("admin:autoreply_account_add")).status_code == 403
    root = User.objects.create_superuser("root", password="pw")
    client.force_login(root)
    assert "operators" in client.get(change).context["adminform"].form.fields
    bob = staff("bob")
    assert Rule.objects.filter(account__in=bob.autoreply_accounts.all()).count() == 0
    client.force_login(bob)
    response = client.get(reverse("admin:autoreply_rule_changelist"))
    assert list(response.context["cl"].result_list) == []  # no account given yet
