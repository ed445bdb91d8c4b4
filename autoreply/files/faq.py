"""FAQ spreadsheets as rules: one rule per question,answer row, through the rules importer.

Each row becomes the rule `FAQ: <question>` (keyword = the question, reply = the answer),
so re-importing the same file changes nothing, an edited answer updates its rule, and
the account's other rules are never touched. Validation and the single all-or-nothing
transaction are `rules_import`'s; problems are reported by spreadsheet row.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, TextIO

from autoreply.choices import KeywordMode
from autoreply.files import sources, spreadsheets
from autoreply.files.rules_import import Report, import_rules
from autoreply.files.schema import RulesFileError
from autoreply.files.sources import Source
from autoreply.models import Account, Rule
from autoreply.templating import literal

PREFIX = "FAQ: "
NAME_LENGTH = Rule._meta.get_field("name").max_length or 100
MODES = (KeywordMode.EXACT, KeywordMode.CONTAINS)
COLUMNS = ("question", "answer")


@dataclass
class FaqReport:
    created: int = 0
    changed: int = 0
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    rules: Report = field(default_factory=Report)
    """The rules import's own report: which rules, by name."""

    def lines(self) -> list[str]:
        counts = f"FAQ rules: {self.created} created, {self.changed} changed, "
        return [counts + f"{self.unchanged} unchanged", *(f"warning: {w}" for w in self.warnings)]


def import_faq(
    account: Account,
    source: Source,
    mode: str = KeywordMode.EXACT,
    progress: TextIO | None = None,
) -> FaqReport:
    """Import a question,answer spreadsheet (CSV or .xlsx) as the account's FAQ rules; all
    or nothing. Raises ImportRefused (a spreadsheet's or the rules') naming the row, and
    writes nothing.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    upload = sources.read(source)
    path = upload.name
    rows = spreadsheets.read_rows(upload, COLUMNS)
    spreadsheets.refuse_duplicates(rows, path, "question")
    names = rule_names(row.first for row in rows)
    rules = [
        faq_rule(name, row.first, row.second, mode)
        for name, row in zip(names, spreadsheets.progress(rows, progress, "checking"), strict=True)
    ]
    document = {"accounts": [{"slug": account.slug, "rules": rules}]}
    prefixes = {
        f"account {account.slug!r}, rule {n!r}": spreadsheets.row_name(path, r.number)
        for n, r in zip(names, rows, strict=True)
    }
    try:
        report = import_rules(document)
    except RulesFileError as exc:
        raise RulesFileError([_by_row(p, prefixes) for p in exc.problems]) from None
    return _faq_report(report, prefixes)


def rule_names(questions: Iterable[str]) -> list[str]:
    """`FAQ: <question>` for each question, on one line, cut to fit, unique in order."""
    names: list[str] = []
    taken: set[str] = set()
    for question in questions:
        base = PREFIX + " ".join(question.split())
        name, number = base[:NAME_LENGTH], 1
        while name in taken:  # two long questions that share their first 95 characters
            number += 1
            suffix = f" ({number})"
            name = base[: NAME_LENGTH - len(suffix)] + suffix
        taken.add(name)
        names.append(name)
    return names


def faq_rule(name: str, question: str, answer: str, mode: str) -> dict[str, Any]:
    """The rules-file rule answering `question` (any message type, so a voice message's
    recognised text is answered too) with the literal `answer`."""
    return {
        "name": name,
        "msg_type": "any",
        "keywords": [{"mode": mode, "pattern": question}],
        "replies": [{"type": "text", "content": literal(answer)}],
    }


def _by_row(problem: str, prefixes: dict[str, str]) -> str:
    for prefix, row in prefixes.items():
        if problem.startswith(prefix):
            return row + problem[len(prefix) :]
    return problem


def _faq_report(report: Report, prefixes: dict[str, str]) -> FaqReport:
    return FaqReport(
        created=report.rules_created,
        changed=report.rules_changed,
        unchanged=report.rules_unchanged,
        warnings=[_by_row(w, prefixes) for w in report.warnings],
        rules=report,
    )
