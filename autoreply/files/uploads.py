"""The files an operator can upload in the admin, and what importing one would change.

Each kind is a small function over the importers the commands call (the same validation,
the same all-or-nothing transaction, the same per-row messages). `preview` runs it in a
transaction that is rolled back, so what the operator is shown is what applying does,
computed by the same code rather than by a second guess at it.
"""

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autoreply.files import sources
from autoreply.files.faq import import_faq
from autoreply.files.lookup_import import import_lookup
from autoreply.files.platform import import_platform
from autoreply.files.rules_import import Report, import_rules
from autoreply.files.schema import RulesFileError
from autoreply.files.sources import Upload
from autoreply.lookups.tables import Counts
from autoreply.models import Account

Options = Mapping[str, Any]


@dataclass
class Outcome:
    """What an import changes in one account: rules by name, lookup tables by counts."""

    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    lookups: dict[str, Counts] = field(default_factory=dict)
    settings: list[str] = field(default_factory=list)
    """The account's settings the file changes (field names)."""
    warnings: list[str] = field(default_factory=list)

    @property
    def changes_nothing(self) -> bool:
        lookups = any(c.added or c.changed or c.removed for c in self.lookups.values())
        return not (self.created or self.changed or self.removed or self.settings or lookups)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> "Outcome":
        lookups = {name: Counts(**counts) for name, counts in data["lookups"].items()}
        return cls(**{**data, "lookups": lookups})


@dataclass(frozen=True)
class Kind:
    title: Promise
    run: Callable[[Account, Upload, Options], Outcome]


def preview(kind: Kind, account: Account, upload: Upload, options: Options) -> Outcome:
    """What importing `upload` would change, with nothing kept; raises ImportRefused as
    the import itself would."""
    with transaction.atomic():
        outcome = kind.run(account, upload, options)
        transaction.set_rollback(True)
    return outcome


def apply(
    kind: Kind, account: Account, upload: Upload, options: Options, previewed: Mapping[str, Any]
) -> tuple[Outcome, bool]:
    """Import `upload` if it still changes exactly what was previewed, and say whether it
    was kept; when the rules changed meanwhile nothing is kept and the new outcome is
    returned, to be previewed again (with --replace, a rule added since would go)."""
    with transaction.atomic():
        outcome = kind.run(account, upload, options)
        if outcome.as_json() != previewed:
            transaction.set_rollback(True)
            return outcome, False
    return outcome, True


def _rules_file(account: Account, upload: Upload, options: Options) -> Outcome:
    document = sources.read_json(upload)
    _refuse_other_accounts(document, account)
    return _outcome(import_rules(document, replace=bool(options.get("replace"))))


def _faq(account: Account, upload: Upload, options: Options) -> Outcome:
    report = import_faq(account, upload, options.get("mode") or "exact")
    return Outcome(
        created=report.rules.created_rules,
        changed=report.rules.changed_rules,
        unchanged=report.unchanged,
        warnings=report.warnings,
    )


def _lookup(account: Account, upload: Upload, options: Options) -> Outcome:
    table = str(options.get("table", ""))
    return Outcome(
        lookups={table: import_lookup(account, table, upload, bool(options.get("replace")))}
    )


def _platform(account: Account, upload: Upload, options: Options) -> Outcome:
    report, warnings = import_platform(account, sources.read_json(upload))
    outcome = _outcome(report)
    outcome.warnings += warnings
    return outcome


def _outcome(report: Report) -> Outcome:
    return Outcome(
        created=report.created_rules,
        changed=report.changed_rules,
        removed=report.deleted_rules,
        unchanged=report.rules_unchanged,
        lookups={key.partition("/")[2]: counts for key, counts in report.lookups.items()},
        settings=[name for _slug, name in report.changed_settings],
        warnings=report.warnings,
    )


def _refuse_other_accounts(document: Any, account: Account) -> None:
    """An upload is for the account it is made in: a file naming any other account (its
    settings, its rules) is refused, where the command would import them all."""
    listed = document.get("accounts") if isinstance(document, dict) else None
    if not isinstance(listed, list):
        return  # the schema's checks say what is wrong with the file's shape
    slugs = [entry.get("slug") for entry in listed if isinstance(entry, dict)]
    if slugs == [account.slug]:
        return
    message = _(
        "the file holds the accounts %(slugs)s; uploaded here it must hold only the account "
        "%(slug)r (change the file's slug, or ask an engineer to import it with import_rules)"
    )
    shown = ", ".join(repr(slug) for slug in slugs) or _("(none)")
    raise RulesFileError([message % {"slugs": shown, "slug": account.slug}])


KINDS = {
    "rules": Kind(gettext_lazy("Import a rules file"), _rules_file),
    "faq": Kind(gettext_lazy("Import a FAQ spreadsheet"), _faq),
    "lookup": Kind(gettext_lazy("Import a lookup table"), _lookup),
    "platform": Kind(gettext_lazy("Import the platform's export"), _platform),
}
