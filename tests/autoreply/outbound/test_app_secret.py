"""The AppSecret is a secret like the Token: masked in the admin, exported only when asked,
kept when an import leaves it out; reply all is refused without it, by name."""

import io
import json

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from autoreply.models import Account, Rule
from tests.factories import account

pytestmark = pytest.mark.django_db

SECRET = "0123456789abcdef0123456789abcdef"


def export(*args: str) -> dict:
    out = io.StringIO()
    call_command("export_rules", *args, stdout=out)
    return json.loads(out.getvalue())


def import_document(tmp_path, document: dict) -> str:
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    call_command("import_rules", str(path), stdout=out)
    return out.getvalue()


def test_exported_only_with_secrets_and_kept_when_left_out(tmp_path):
    account("acme", app_secret=SECRET)
    assert "app_secret" not in export()["accounts"][0]
    document = export("--with-secrets")
    assert document["accounts"][0]["app_secret"] == SECRET
    del document["accounts"][0]["app_secret"]
    import_document(tmp_path, document)
    assert Account.objects.get().app_secret == SECRET


def test_reply_all_without_an_app_secret_is_refused_by_name(tmp_path):
    rule = {"name": "all three", "reply_mode": "all", "replies": [{"type": "text", "content": "a"}]}
    document = {
        "accounts": [
            {
                "slug": "acme",
                "name": "Acme",
                "app_id": "wx2c2769f8efd9abc2",
                "token": "spamtest",
                "encryption_mode": "plain",
                "rules": [rule],
            }
        ]
    }
    with pytest.raises(CommandError) as caught:
        import_document(tmp_path, document)
    assert "'all three'" in str(caught.value) and "reply_mode" in str(caught.value)
    assert "AppSecret" in str(caught.value)
    assert not Rule.objects.exists()
    document["accounts"][0]["app_secret"] = SECRET
    import_document(tmp_path, document)
    assert Rule.objects.get().reply_mode == "all"


def test_the_admin_masks_it_and_keeps_it_when_left_blank(client):
    acme = account("acme", app_secret=SECRET)
    client.force_login(User.objects.create_superuser("admin", password="pw"))
    url = f"/admin/autoreply/account/{acme.pk}/change/"
    page = client.get(url).content.decode()
    assert SECRET not in page and "••••••cdef" in page
    data = {
        "slug": "acme",
        "name": "Renamed",
        "app_id": acme.app_id,
        "encryption_mode": "plain",
        "token": "",
        "encoding_aes_key": "",
        "previous_encoding_aes_key": "",
        "app_secret": "",
    }
    assert client.post(url, data).status_code == 302
    acme.refresh_from_db()
    assert (acme.name, acme.app_secret) == ("Renamed", SECRET)


def test_the_rule_editor_offers_reply_all_in_the_platforms_words(client):
    client.force_login(User.objects.create_superuser("admin", password="pw"))
    page = client.get("/admin/autoreply/rule/add/").content.decode()
    assert '<option value="all">all (回复全部)</option>' in page
