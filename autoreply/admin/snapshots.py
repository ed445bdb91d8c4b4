"""A recorded version as an operator reads it: a rule's settings, keywords and replies
under the editor's own labels, marked where the rule differs now; a lookup table's
changed entries, before and after."""

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.template.defaultfilters import yesno
from django.utils.text import capfirst

from autoreply.choices import KeywordMode, ReplyType
from autoreply.models import Article, Keyword, Reply, Rule
from autoreply.rules.fields import RULE_FIELDS

SHOWN_CHANGES = 500  # entries of one lookup table version listed on its page
NOTHING = "—"


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    differs: bool  # from the rule as stored now


def rule_rows(data: dict[str, Any], now: dict[str, Any] | None) -> list[Row]:
    """The version's every field, in the rules file's order; `now`: the rule today."""
    rows = []
    for field in RULE_FIELDS:
        value = data.get(field.name)
        if field.name == "keywords":
            label, shown = Keyword._meta.verbose_name_plural, _keywords(value or [])
        elif field.name == "replies":
            label, shown = Reply._meta.verbose_name_plural, _replies(value or [])
        else:
            column = _column(Rule, field.name)
            label, shown = column.verbose_name, _value(column, value)
        differs = now is not None and now.get(field.name) != value
        rows.append(Row(str(capfirst(label)), shown, differs))
    return rows


def _value(column: Any, value: Any) -> str:
    if isinstance(value, bool):
        return str(yesno(value))
    if value in (None, "", []):
        return NOTHING
    if column.choices:
        return str(dict(column.flatchoices).get(value, value))
    if column.name == "schedule":
        return "; ".join(f"{e.get('days')} {e.get('from')}–{e.get('to')}" for e in value)
    return str(value)


def _keywords(keywords: list[dict[str, str]]) -> str:
    lines = [f"{KeywordMode(k['mode']).label}: {k['pattern']}" for k in keywords]
    return "\n".join(lines) or NOTHING


def _replies(replies: list[dict[str, Any]]) -> str:
    lines = []
    for number, reply in enumerate(replies, start=1):
        lines.append(f"{number}. {ReplyType(reply['type']).label}")
        lines += _fields(Reply, reply, "   ")
        for article in reply.get("articles", []):
            lines += _fields(Article, article, "   · ")
    return "\n".join(lines) or NOTHING


def _fields(model: type[models.Model], data: dict[str, Any], indent: str) -> list[str]:
    return [
        f"{indent}{capfirst(_column(model, name).verbose_name)}: {value}"
        for name, value in data.items()
        if name not in ("type", "articles") and value
    ]


def _column(model: type[models.Model], name: str) -> "models.Field[Any, Any]":
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field), f"{model.__name__}.{name} is not a column"
    return field


def entry_rows(changes: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(key, value before, value after) of the first SHOWN_CHANGES changed entries."""
    rows = []
    for normalized in sorted(changes)[:SHOWN_CHANGES]:
        before, after = changes[normalized]
        key = (after or before)[0]
        rows.append((key, before[1] if before else NOTHING, after[1] if after else NOTHING))
    return rows
