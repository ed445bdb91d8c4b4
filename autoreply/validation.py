"""What makes a rule, reply or account acceptable: shared by the models' `clean()`, the
admin and the rules-file importer, so each refuses the same things with the same words.

Every error names its field (`ValidationError({"field": ...})`) and carries a code.
"""

import re
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from autoreply.choices import (
    ARTICLE_FIELDS,
    MAX_ARTICLES_FOR_EVENT,
    MAX_ARTICLES_FOR_MESSAGE,
    MAX_TEXT_BYTES,
    REPLY_FIELDS,
    TEXT_BEARING,
    EncryptionMode,
    KeywordMode,
    MsgType,
    ReplyType,
)
from autoreply.rules import regex_literals
from autoreply.rules.regexes import compile_pattern
from autoreply.templating import TemplateError, compile_template
from autoreply.text import normalize

AES_KEY = re.compile(r"[A-Za-z0-9]{43}")
# Why a pattern failed when the engine's own words are not meant for operators.
PATTERN_FAILURES = {
    OverflowError: _("a number in it is too large"),
    RecursionError: _("it nests groups too deeply"),
    MemoryError: _("it is too large"),
}


def error(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def validate_aes_key(value: str) -> None:
    if value and not AES_KEY.fullmatch(value):
        raise ValidationError(
            "An EncodingAESKey is 43 characters of A-Z, a-z and 0-9 (it has %(length)d).",
            code="bad_aes_key",
            params={"length": len(value)},
        )


def check_account(account: Any) -> None:
    if account.encryption_mode != EncryptionMode.PLAIN and not account.encoding_aes_key:
        raise error(
            "encoding_aes_key",
            "Compatible and safe mode need the EncodingAESKey from the WeChat platform.",
            "aes_key_required",
        )


def check_rule(rule: Any) -> None:
    if rule.msg_type == MsgType.EVENT and not rule.event.strip():
        raise error("event", "An event rule needs an event, e.g. subscribe or CLICK.", "no_event")
    if rule.msg_type != MsgType.EVENT and (rule.event or rule.event_key):
        field = "event" if rule.event else "event_key"
        raise error(field, "Only rules of type event have an event.", "event_on_message_rule")


def check_keyword(keyword: Any) -> None:
    if keyword.mode == KeywordMode.REGEX:
        try:
            compile_pattern(keyword.pattern)
        except Exception as exc:  # not only regex.error: OverflowError, RecursionError, ...
            why = PATTERN_FAILURES.get(type(exc)) or f"{exc}"
            message = _("This regular expression does not compile: %(why)s.") % {"why": why}
            raise error("pattern", message, "bad_regex") from None
    elif not normalize(keyword.pattern):
        raise error("pattern", _("A keyword cannot be empty."), "empty_keyword")


def keyword_warnings(keyword: Any) -> list[str]:
    """What compiles but may not match as the operator expects: a regex that can backtrack
    for exponentially long gives up after a few milliseconds (the keyword then misses)."""
    if keyword.mode == KeywordMode.REGEX and regex_literals.nests_repeats(keyword.pattern):
        message = _(
            "The regular expression %(pattern)s has a repeat inside a repeat (like (a+)+): "
            "on a long text that almost matches it can take exponentially long, so it gives "
            "up after a few milliseconds and this keyword does not match. Write it without "
            "the nested repeat if you can."
        )
        return [message % {"pattern": keyword.pattern}]
    return []


def check_templates(instance: Any, fields: Iterable[str]) -> None:
    errors = {}
    for field in fields:
        try:
            compile_template(getattr(instance, field))
        except TemplateError as exc:
            errors[field] = ValidationError(str(exc), code="bad_template")
    if errors:
        raise ValidationError(errors)


def check_reply(reply: Any) -> None:
    fields = REPLY_FIELDS.get(reply.type)
    if fields is None:
        raise error("type", f"Unknown reply type {reply.type!r}.", "bad_reply_type")
    for field, required in fields:
        if required and not getattr(reply, field).strip():
            label = reply._meta.get_field(field).verbose_name
            article = "An" if reply.type[0] in "aeiou" else "A"
            raise error(
                field, f"{article} {reply.type} reply needs a {label}.", "reply_field_missing"
            )
    check_templates(reply, [field for field, _ in fields])


def check_article(article: Any) -> None:
    check_templates(article, ARTICLE_FIELDS)


def check_lookup_entry(entry: Any) -> None:
    if not normalize(entry.key):
        raise error("key", "A lookup key cannot be empty.", "empty_key")


def check_rule_parts(
    rule: Any, keywords: Sequence[Any], replies: Sequence[Any], article_counts: Sequence[int]
) -> None:
    """What depends on the rule and its parts together; `article_counts[i]` is the number
    of articles of `replies[i]`."""
    if keywords and rule.msg_type not in TEXT_BEARING:
        raise error(
            "msg_type",
            "Keywords only match text (and a voice message's recognised text): "
            "use type any, text or voice, or remove the keywords.",
            "keywords_need_text",
        )
    for reply, count in zip(replies, article_counts, strict=True):
        check_reply_on_rule(rule, reply, count)


def check_reply_on_rule(rule: Any, reply: Any, article_count: int) -> None:
    if reply.type == ReplyType.TRANSFER_CUSTOMER_SERVICE and rule.msg_type == MsgType.EVENT:
        raise error(
            "type",
            "Transfer to customer service answers follower messages only, never events.",
            "transfer_on_event",
        )
    if reply.type != ReplyType.NEWS:
        return
    limit = MAX_ARTICLES_FOR_EVENT if rule.msg_type == MsgType.EVENT else MAX_ARTICLES_FOR_MESSAGE
    if not 1 <= article_count <= limit:
        why = (
            "a rule for events may carry up to 8"
            if limit == MAX_ARTICLES_FOR_EVENT
            else "WeChat shows only 1 when answering a follower's message"
        )
        raise error(
            "articles",
            f"This news reply has {article_count} articles; {why}.",
            "article_count",
        )


def reply_warnings(reply: Any) -> list[str]:
    """What WeChat accepts but followers will not see as intended."""
    if reply.type == ReplyType.TEXT and len(reply.content.encode()) > MAX_TEXT_BYTES:
        size = len(reply.content.encode())
        return [
            f"The text reply is {size} bytes; WeChat's clients refuse text over "
            f"{MAX_TEXT_BYTES} bytes, so followers may see nothing."
        ]
    return []
