"""Which conversations an account's rules use: suggested in the editor and the try page,
and checked so that a rule only in a conversation that nothing starts is warned of."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from autoreply.models import Rule


def context_names(accounts: Iterable[Any]) -> list[str]:
    """Every conversation the rules of these accounts (or their ids) start or answer in."""
    rules = Rule.objects.filter(account__in=accounts)
    named = rules.filter(~Q(requires_context="") | Q(sets_context__isnull=False))
    names: set[str] = set()
    for required, started in named.values_list("requires_context", "sets_context"):
        names.update((required, _name(started)))
    return sorted(name for name in names if name)


def started_names(account_id: int) -> set[str]:
    """The conversations the account's rules start."""
    started = Rule.objects.filter(account=account_id, sets_context__isnull=False)
    return {
        name for value in started.values_list("sets_context", flat=True) if (name := _name(value))
    }


def _name(sets_context: Any) -> str:
    """The name a stored sets_context starts ('' when it has none: psql can write anything)."""
    if isinstance(sets_context, dict) and isinstance(sets_context.get("name"), str):
        return str(sets_context["name"])
    return ""
