"""What an admin upload would change, found by running the commands' own importers in a
transaction that is rolled back; applied only while it still changes the same."""

import io
import json

from django.core.management import call_command

from autoreply.files import uploads
from autoreply.files.sources import Upload
from autoreply.lookups.tables import Counts
from autoreply.models import Account, LookupEntry, LookupTable, Rule
from tests.factories import text_rule


def rules_file(**account) -> Upload:
    document = {"accounts": [{"slug": "acme", **account}]}
    return Upload("rules.json", json.dumps(document).encode())


def test_a_preview_keeps_nothing_and_names_every_change(acme):
    text_rule(acme, "old", "bye", ("exact", "old"))
    table = LookupTable.objects.create(account=acme, name="stale")
    LookupEntry.objects.create(table=table, key="k", value="v")
    upload = rules_file(
        name="Acme Ltd",
        rules=[{"name": "new", "keywords": [{"mode": "exact", "pattern": "new"}]}],
        lookups={"parts": {"18-546": "车体新厂房3号"}},
    )
    outcome = uploads.preview(uploads.KINDS["rules"], acme, upload, {"replace": True})
    assert outcome == uploads.Outcome(
        created=["new"],
        removed=["old"],
        lookups={"parts": Counts(added=1), "stale": Counts(removed=1)},
        settings=["name"],
    )
    assert list(Rule.objects.values_list("name", flat=True)) == ["old"]
    assert Account.objects.get().name == "Acme"
    assert list(LookupTable.objects.values_list("name", flat=True)) == ["stale"]


def test_applying_does_what_was_previewed(acme):
    upload = rules_file(rules=[{"name": "new"}])
    kind = uploads.KINDS["rules"]
    previewed = uploads.preview(kind, acme, upload, {}).as_json()
    outcome, applied = uploads.apply(kind, acme, upload, {}, previewed)
    assert applied and outcome.created == ["new"]
    assert Rule.objects.filter(name="new").exists()


def test_a_stale_preview_is_not_applied(acme):
    kind, upload = uploads.KINDS["rules"], rules_file(rules=[])
    previewed = uploads.preview(kind, acme, upload, {"replace": True}).as_json()
    text_rule(acme, "added since", "hi", ("exact", "hi"))
    outcome, applied = uploads.apply(kind, acme, upload, {"replace": True}, previewed)
    assert not applied and outcome.removed == ["added since"]
    assert Rule.objects.filter(name="added since").exists()


def test_an_outcome_survives_being_stored_as_json(acme):
    outcome = uploads.Outcome(created=["a"], lookups={"t": Counts(1, 2, 3, 4)}, warnings=["w"])
    assert uploads.Outcome.from_json(json.loads(json.dumps(outcome.as_json()))) == outcome
    assert not outcome.changes_nothing
    assert uploads.Outcome(unchanged=3, lookups={"t": Counts(unchanged=1)}).changes_nothing


def test_the_command_reports_the_tables_replace_drops(acme, tmp_path):
    LookupEntry.objects.create(
        table=LookupTable.objects.create(account=acme, name="stale"), key="k", value="v"
    )
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"accounts": [{"slug": "acme", "rules": []}]}))
    out = io.StringIO()
    call_command("import_rules", str(path), "--replace", stdout=out)
    assert "lookup table acme/stale: 0 added, 0 changed, 1 removed, 0 unchanged" in out.getvalue()
    assert not LookupTable.objects.exists()
