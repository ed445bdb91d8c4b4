"""Which conversations an account's rules use: suggested in the editor and the try page,
and checked so that a rule only in a conversation that nothing starts is warned of."""

from django.db.models import Q

from autoreply.models import Rule


def context_names(account_id: int | None = None) -> list[str]:
    """Every conversation the rules (of one account, or all) start or answer in."""
    rules = Rule.objects.all() if account_id is None else Rule.objects.filter(account=account_id)
    named = rules.filter(~Q(requires_context="") | Q(sets_context__isnull=False))
    names = set()
    for required, started in named.values_list("requires_context", "sets_context"):
        names.add(required)
        if isinstance(started, dict) and isinstance(started.get("name"), str):
            names.add(started["name"])
    return sorted(name for name in names if name)


def started_names(account_id: int) -> set[str]:
    """The conversations the account's rules start."""
    started = Rule.objects.filter(account=account_id, sets_context__isnull=False)
    return {
        value["name"]
        for value in started.values_list("sets_context", flat=True)
        if isinstance(value, dict) and isinstance(value.get("name"), str)
    }
