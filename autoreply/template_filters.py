"""The filters reply templates may use besides Django's built-in ones."""

from collections.abc import Mapping
from contextvars import ContextVar
from types import MappingProxyType

from django import template

from autoreply.text import normalize

register = template.Library()

# The lookup tables of the account whose message is being rendered: set by
# templating.message_context, read here, so a template never names an account.
current_lookups: ContextVar[Mapping[str, Mapping[str, str]]] = ContextVar(
    "current_lookups", default=MappingProxyType({})
)


@register.filter
def lookup(key: object, table: str) -> str:
    """`{{ match.1|lookup:"workpieces" }}`: the value stored under `key`, or ''."""
    entries = current_lookups.get().get(table, {})
    return entries.get(normalize(str(key)), "")
