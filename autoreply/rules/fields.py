"""The rule's fields, declared once: their JSON types in the rules file, where the admin
shows them, and how the file writes a value not stored as JSON (a date-time with its
offset; a schedule's entries key by key); a file that leaves one out gets the model
field's default. The rules file's schema, import, export and the admin's fieldsets read
this table; `loading` reads what matching needs from `RuleSpec` itself.

A model field of Rule, Keyword, Reply or Article is either declared (here, or for
replies and articles in `wechat.replies`) or listed in INTERNAL_FIELDS; a test holds
the models to that.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from autoreply.models import Rule
from autoreply.rules import conversations
from autoreply.rules.schedule import ENTRY_KEYS
from wechat.replies import ARTICLE_FIELDS, REPLY_KINDS

ABOUT, WHEN, CONVERSATION, HOW = "about", "when", "conversation", "how"
FIELDSET_TITLES = {
    ABOUT: None,
    WHEN: _("When it answers"),
    CONVERSATION: _("Conversation"),
    HOW: _("How it answers"),
}


@dataclass(frozen=True)
class Codec:
    """How a column is written in the rules file when not as stored: `load` raises
    ValueError with words for the file's author."""

    dump: Callable[[Any], Any]
    load: Callable[[Any], Any]


def zone() -> tzinfo:
    """DJANGO_TIME_ZONE: the rules file's date-times without an offset are in it."""
    return timezone.get_default_timezone()


def _dump_datetime(value: datetime | None) -> str | None:
    return None if value is None else timezone.localtime(value, zone()).isoformat()


def _load_datetime(text: str | None) -> datetime | None:
    """ISO 8601; without an offset, in DJANGO_TIME_ZONE."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{text!r:.40} is not an ISO 8601 date-time, e.g. 2027-01-28T09:00 or "
            "2027-01-28T09:00:00+08:00"
        ) from None
    return timezone.make_aware(value, zone()) if timezone.is_naive(value) else value


def _load_schedule(entries: list[Any]) -> list[dict[str, str]]:
    """Each entry's keys in order, a missing one empty (validation then says which)."""
    keys = ENTRY_KEYS
    loaded = []
    for number, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            example = '{"days": "mon-fri", "from": "09:00", "to": "18:00"}'
            raise ValueError(f"entry {number}: expected an object like {example}")
        unknown = sorted(entry.keys() - set(keys))
        if unknown or not all(isinstance(entry.get(key, ""), str) for key in keys):
            raise ValueError(f"entry {number}: days, from and to are text; no other keys")
        loaded.append({key: entry.get(key, "") for key in keys})
    return loaded


def _load_context_change(value: Any) -> dict[str, Any] | None:
    """`{"name", "seconds"}` or null; a missing key is kept missing (validation names it)."""
    if value is None:
        return None
    try:
        name, seconds = conversations.parse(value)
    except conversations.ConversationError:
        raise ValueError('expected {"name": "workpiece", "seconds": 300}, or null') from None
    return {key: item for key, item in (("name", name), ("seconds", seconds)) if item is not None}


DATETIME = Codec(_dump_datetime, _load_datetime)
CONTEXT_NAME = Codec(lambda name: name or None, lambda name: name or "")  # null: none
CONTEXT_CHANGE = Codec(lambda value: value, _load_context_change)
SCHEDULE = Codec(list, _load_schedule)


@dataclass(frozen=True)
class RuleField:
    """One key of a rule in the rules file."""

    name: str
    json_type: type
    part: bool = False  # keywords and replies are rows of their own, not Rule columns
    fieldset: str = ABOUT
    nullable: bool = False  # null is a value (no bound), not a mistake
    codec: Codec | None = None

    def dump(self, value: Any) -> Any:
        """The column's value as the rules file writes it."""
        return self.codec.dump(value) if self.codec else value

    def load(self, value: Any) -> Any:
        """The rules file's value as the column holds it; ValueError when it cannot."""
        return self.codec.load(value) if self.codec else value


# In the rules file's order: export writes the keys in this order.
RULE_FIELDS = (
    RuleField("name", str),
    RuleField("priority", int),
    RuleField("enabled", bool),
    RuleField("msg_type", str, fieldset=WHEN),
    RuleField("event", str, fieldset=WHEN),
    RuleField("event_key", str, fieldset=WHEN),
    RuleField("keywords", list, part=True),
    RuleField("reply_mode", str, fieldset=HOW),
    RuleField("cooldown_seconds", int, fieldset=WHEN),
    RuleField("active_from", str, fieldset=WHEN, nullable=True, codec=DATETIME),
    RuleField("active_until", str, fieldset=WHEN, nullable=True, codec=DATETIME),
    RuleField("schedule", list, fieldset=WHEN, codec=SCHEDULE),
    RuleField("requires_context", str, fieldset=CONVERSATION, nullable=True, codec=CONTEXT_NAME),
    RuleField("sets_context", dict, fieldset=CONVERSATION, nullable=True, codec=CONTEXT_CHANGE),
    RuleField("clears_context", bool, fieldset=CONVERSATION),
    RuleField("replies", list, part=True),
)
RULE_COLUMNS = tuple(field.name for field in RULE_FIELDS if not field.part)
KEYWORD_FIELDS = ("mode", "pattern")
REPLY_FIELD_NAMES = tuple(
    dict.fromkeys(name for kind in REPLY_KINDS.values() for name in kind.field_names)
)
ARTICLE_FIELD_NAMES = tuple(field.name for field in ARTICLE_FIELDS)

# Model fields that are not the rule's content: keys, ordering and bookkeeping.
INTERNAL_FIELDS = {
    "Rule": ("id", "account", "created_at", "updated_at"),
    "Keyword": ("id", "rule"),
    "Reply": ("id", "rule", "order"),
    "Article": ("id", "reply", "order"),
}
DECLARED_FIELDS = {
    "Rule": RULE_COLUMNS,
    "Keyword": KEYWORD_FIELDS,
    "Reply": ("type", *REPLY_FIELD_NAMES),
    "Article": ARTICLE_FIELD_NAMES,
}


def rule_defaults() -> dict[str, Any]:
    """Every rule key with what a file that leaves it out means: the model field's default
    ('' for text without one), no keywords, no replies (a silence). The name has none to
    speak of: the schema requires it."""
    return {
        field.name: [] if field.part else _model_field(field.name).get_default()
        for field in RULE_FIELDS
    }


def fieldsets() -> list[tuple[Any, Any]]:
    """The admin's rule fieldsets: the account first, then each column in its fieldset."""
    grouped: dict[str, list[str]] = {key: [] for key in FIELDSET_TITLES}
    grouped[ABOUT].append("account")
    for field in RULE_FIELDS:
        if not field.part:
            grouped[field.fieldset].append(field.name)
    return [(FIELDSET_TITLES[key], {"fields": names}) for key, names in grouped.items()]


def _model_field(name: str) -> "models.Field[Any, Any]":
    field = Rule._meta.get_field(name)
    assert isinstance(field, models.Field), f"Rule.{name} is not a column"
    return field
