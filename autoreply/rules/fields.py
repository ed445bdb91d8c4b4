"""The rule's fields, declared once: their JSON types in the rules file and where the
admin shows them; a file that leaves one out gets the model field's default. The rules
file's schema, import, export and the admin's fieldsets read this table; `loading` reads
what matching needs from `RuleSpec` itself.

A model field of Rule, Keyword, Reply or Article is either declared (here, or for
replies and articles in `wechat.replies`) or listed in INTERNAL_FIELDS; a test holds
the models to that.
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from autoreply.models import Rule
from wechat.replies import ARTICLE_FIELDS, REPLY_KINDS

ABOUT, WHEN, HOW = "about", "when", "how"
FIELDSET_TITLES = {ABOUT: None, WHEN: _("When it answers"), HOW: _("How it answers")}


@dataclass(frozen=True)
class RuleField:
    """One key of a rule in the rules file."""

    name: str
    json_type: type
    part: bool = False  # keywords and replies are rows of their own, not Rule columns
    fieldset: str = ABOUT


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
        field.name: [] if field.part else Rule._meta.get_field(field.name).get_default()
        for field in RULE_FIELDS
    }


def fieldsets() -> list[tuple[Any, dict[str, list[str]]]]:
    """The admin's rule fieldsets: the account first, then each column in its fieldset."""
    grouped: dict[str, list[str]] = {key: [] for key in FIELDSET_TITLES}
    grouped[ABOUT].append("account")
    for field in RULE_FIELDS:
        if not field.part:
            grouped[field.fieldset].append(field.name)
    return [(FIELDSET_TITLES[key], {"fields": names}) for key, names in grouped.items()]
