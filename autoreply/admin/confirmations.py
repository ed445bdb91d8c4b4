"""Warnings asked before a rule is saved: what is valid but, saved, would at once change
what followers get against the operator's intent. The page shows them as errors with a
box to tick; ticked, the rule saves. (Warnings about what merely will not work, like a
regex that may give up or an unknown event, are said once it is saved.)"""

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from autoreply.rules.places import default_rule
from autoreply.validation import outranking_warnings

CONFIRM_FIELD = "_confirm_warnings"
CODE = "unconfirmed_warning"


def check_outranking(rule: Any, keywords: Sequence[Any], data: Mapping[str, Any]) -> None:
    """Raises the warning that a keyword-less `rule` would answer before the account's
    default rule, unless the POSTed `data` confirms it."""
    if not rule.account_id or data.get(CONFIRM_FIELD):
        return
    default = default_rule(rule.account_id, excluding=rule.pk)
    warnings = outranking_warnings(rule, len(keywords), default)
    if warnings:
        hint = gettext("To save it as it is, tick “Save despite the warning” below.")
        raise ValidationError([ValidationError(f"{w} {hint}", code=CODE) for w in warnings])


def needs_confirmation(formsets: Iterable[Any]) -> bool:
    """Whether a formset of the page was refused only until the operator confirms."""
    return any(
        error.code == CODE for formset in formsets for error in formset.non_form_errors().as_data()
    )
