"""import_rules --from-platform --fetch: the platform's rules through the API, reply_all kept."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from autoreply.models import Rule
from tests.factories import account
from tests.gunicorn_server import ROOT

pytestmark = pytest.mark.django_db

SAMPLE = ROOT / "fixtures" / "platform-autoreply.json"


@pytest.fixture
def served(standin):
    standin.server.state.autoreply_info = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return standin


def fetch(slug: str) -> str:
    out = io.StringIO()
    call_command("import_rules", "--from-platform", "--fetch", "--account", slug, stdout=out)
    return out.getvalue()


def test_fetched_rules_keep_reply_all_when_the_account_has_an_app_secret(served):
    account("acme", app_secret="s3cret")
    out = fetch("acme")
    modes = dict(Rule.objects.values_list("name", "reply_mode"))
    assert modes["platform: 门店地址"] == "all"
    assert modes["platform: 营业时间"] == "random"
    assert "reply_all" not in out
    assert served.stats["token_fetches"] == 1


def test_without_an_app_secret_the_fetch_says_why(served):
    account("acme")
    with pytest.raises(CommandError, match="no AppSecret"):
        fetch("acme")
    assert not Rule.objects.exists()


def test_a_file_and_fetch_are_one_or_the_other(served):
    account("acme", app_secret="s3cret")
    with pytest.raises(CommandError, match="FILE, or --fetch"):
        call_command("import_rules", "--from-platform", "--account", "acme")
    with pytest.raises(CommandError, match="FILE, or --fetch"):
        call_command("import_rules", "--from-platform", str(SAMPLE), "--fetch", "--account", "acme")
