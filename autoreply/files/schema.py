"""The rules file's shape: which keys exist, their JSON types and their defaults.

`accounts(document)` checks a parsed file and returns its accounts with every default
filled in, in the same shape `rules_export` writes, or raises RulesFileError listing
every problem found, each naming the account, the rule and the field.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autoreply.errors import ImportRefused
from autoreply.models import SECRET_FIELDS
from autoreply.rules.fields import KEYWORD_FIELDS, RULE_FIELDS, rule_defaults
from wechat.replies import ARTICLE_FIELDS, REPLY_KINDS

ACCOUNT_TYPES: dict[str, type] = {
    "slug": str,
    "name": str,
    "app_id": str,
    **dict.fromkeys(SECRET_FIELDS, str),
    "encryption_mode": str,
    "lookups": dict,
    "rules": list,
}
RULE_TYPES: dict[str, type] = {field.name: field.json_type for field in RULE_FIELDS}
RULE_NULLABLE = frozenset(field.name for field in RULE_FIELDS if field.nullable)
KEYWORD_TYPES: dict[str, type] = dict.fromkeys(KEYWORD_FIELDS, str)
ARTICLE_TYPES: dict[str, type] = {field.name: str for field in ARTICLE_FIELDS}
TYPE_NAMES = {
    str: gettext_lazy("text"),
    int: gettext_lazy("a whole number"),
    bool: gettext_lazy("true or false"),
    list: gettext_lazy("a list"),
    dict: gettext_lazy("an object"),
}


class RulesFileError(ImportRefused):
    """The rules file cannot be imported; `problems` says where and why, one line each."""


def problem(where: str, field: str, message: str) -> ValidationError:
    return ValidationError(f"{where}, {field}: {message}")


def located(exc: ValidationError, where: str) -> ValidationError:
    """The same errors, each prefixed with where it was found and its field."""
    if hasattr(exc, "error_dict"):
        return ValidationError(
            [f"{where}, {name}: {m}" for name, errs in exc.message_dict.items() for m in errs]
        )
    return ValidationError([f"{where}: {m}" for m in exc.messages])


def full_clean(
    instance: Any, where: str, exclude: list[str] | None = None, unique: bool = True
) -> None:
    try:
        instance.full_clean(exclude=exclude, validate_unique=unique, validate_constraints=unique)
    except ValidationError as exc:
        raise located(exc, where) from None


class Checker:
    """Walks a parsed file collecting problems rather than stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def typed(self, value: Any, expected: type, where: str, field: str) -> bool:
        # bool is an int in Python, but `"priority": true` is a mistake in a file
        if isinstance(value, expected) and not (expected is int and isinstance(value, bool)):
            return True
        message = _("%(where)s, %(field)s: expected %(type)s, got %(value)s")
        names = {"where": where, "field": field, "type": TYPE_NAMES[expected]}
        self.problems.append(message % {**names, "value": f"{value!r:.60}"})
        return False

    def fields(
        self, data: Any, types: dict[str, type], where: str, nullable: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        if not isinstance(data, dict):
            message = _("%(where)s: expected an object, got %(value)s")
            self.problems.append(message % {"where": where, "value": f"{data!r:.60}"})
            return {}
        for key in data.keys() - types.keys():
            message = _("%(where)s, %(key)s: unknown field (known: %(known)s)")
            self.problems.append(message % {"where": where, "key": key, "known": ", ".join(types)})
        return {
            k: v
            for k, v in data.items()
            if k in types and ((v is None and k in nullable) or self.typed(v, types[k], where, k))
        }


def required(where: str, field: str) -> str:
    return _("%(where)s, %(field)s: required") % {"where": where, "field": field}


def twice(where: str) -> str:
    return _("%(where)s: appears twice in the file") % {"where": where}


def accounts(document: Any) -> list[dict[str, Any]]:
    check = Checker()
    top = check.fields(document, {"accounts": list}, _("the file"))
    result, slugs = [], set()
    for number, data in enumerate(top.get("accounts", [])):
        account = check.fields(data, ACCOUNT_TYPES, f"accounts[{number}]")
        slug = account.get("slug")
        if not slug:
            check.problems.append(required(f"accounts[{number}]", "slug"))
            continue
        if slug in slugs:
            check.problems.append(twice(f"account {slug!r}"))
        slugs.add(slug)
        where = f"account {slug!r}"
        account["lookups"] = _lookups(check, account.get("lookups", {}), where)
        account["rules"] = _rules(check, account.get("rules", []), where)
        result.append(account)
    if "accounts" not in top and not check.problems:
        check.problems.append(required(_("the file"), "accounts"))
    if check.problems:
        raise RulesFileError(check.problems)
    return result


def _lookups(check: Checker, tables: dict[str, Any], where: str) -> dict[str, dict[str, str]]:
    result = {}
    for name, entries in tables.items():
        table_where = f"{where}, lookups[{name!r}]"
        if check.typed(entries, dict, table_where, "entries"):
            result[name] = {
                key: value
                for key, value in entries.items()
                if check.typed(value, str, table_where, repr(key))
            }
    return result


def _rules(check: Checker, rules: list[Any], where: str) -> list[dict[str, Any]]:
    result, names = [], set()
    for number, data in enumerate(rules):
        given = check.fields(data, RULE_TYPES, f"{where}, rules[{number}]", RULE_NULLABLE)
        name = given.get("name")
        if not name:
            check.problems.append(required(f"{where}, rules[{number}]", "name"))
            continue
        if name in names:
            check.problems.append(twice(f"{where}, rule {name!r}"))
        names.add(name)
        rule = {**rule_defaults(), **given}
        rule_where = f"{where}, rule {name!r}"
        _canonical(check, rule, rule_where)
        rule["keywords"] = [
            _keyword(check, kw, f"{rule_where}, keywords[{i}]")
            for i, kw in enumerate(rule["keywords"])
        ]
        rule["replies"] = [
            _reply(check, reply, f"{rule_where}, replies[{i}]")
            for i, reply in enumerate(rule["replies"])
        ]
        result.append(rule)
    return result


def _canonical(check: Checker, rule: dict[str, Any], where: str) -> None:
    """Values as export writes them (a date-time with its offset), so that a file that says
    the same thing in other words imports as unchanged."""
    for field in RULE_FIELDS:
        if field.codec is not None:
            try:
                rule[field.name] = field.dump(field.load(rule[field.name]))
            except ValueError as exc:
                check.problems.append(f"{where}, {field.name}: {exc}")


def _keyword(check: Checker, data: Any, where: str) -> dict[str, str]:
    keyword = check.fields(data, KEYWORD_TYPES, where)
    for name in KEYWORD_TYPES:
        if name not in keyword and isinstance(data, dict) and name not in data:
            message = _("%(where)s, %(field)s: required (mode is exact, contains or regex)")
            check.problems.append(message % {"where": where, "field": name})
    return {"mode": keyword.get("mode", ""), "pattern": keyword.get("pattern", "")}


def _reply(check: Checker, data: Any, where: str) -> dict[str, Any]:
    given_type = data.get("type") if isinstance(data, dict) else None
    kind = REPLY_KINDS.get(given_type) if isinstance(given_type, str) else None
    if kind is None:
        message = _("%(where)s, type: expected one of %(known)s, got %(value)s")
        known = ", ".join(REPLY_KINDS)
        check.problems.append(
            message % {"where": where, "known": known, "value": f"{given_type!r:.40}"}
        )
        return {"type": given_type or ""}
    types: dict[str, type] = {"type": str, **dict.fromkeys(kind.field_names, str)}
    if kind.articles:
        types["articles"] = list
    given = check.fields(data, types, where)
    reply = {name: given.get(name, "") for name in types if name != "articles"}
    if kind.articles:
        reply["articles"] = [
            {name: article.get(name, "") for name in ARTICLE_TYPES}
            for i, raw in enumerate(given.get("articles", []))
            for article in [check.fields(raw, ARTICLE_TYPES, f"{where}, articles[{i}]")]
        ]
    return reply
