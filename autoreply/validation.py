"""What makes a rule, reply or account acceptable: shared by the models' `clean()`, the
admin and the rules-file importer, so each refuses the same things with the same words.

Every error names its field (`ValidationError({"field": ...})`) and carries a code.
"""

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autoreply.choices import (
    MAX_TEXT_BYTES,
    TEXT_BEARING,
    EncryptionMode,
    KeywordMode,
    MsgType,
    ReplyMode,
    ReplyType,
)
from autoreply.rules import regex_literals
from autoreply.rules.conversations import ConversationError, change_of
from autoreply.rules.regexes import compile_pattern
from autoreply.rules.schedule import ScheduleError, weekly_spans
from autoreply.templating import TemplateError, compile_template
from autoreply.text import normalize
from wechat.registry import EVENTS, known_event
from wechat.replies import ARTICLE_FIELDS, NEWS_LIMIT_EVENT, REPLY_KINDS, max_articles

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise  # typing only: lazy translations

AES_KEY = re.compile(r"[A-Za-z0-9]{43}")
ORIGINAL_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")  # the shape the webhook accepts in ToUserName
# Why a pattern failed when the engine's own words are not meant for operators.
PATTERN_FAILURES = {
    OverflowError: gettext_lazy("a number in it is too large"),
    RecursionError: gettext_lazy("it nests groups too deeply"),
    MemoryError: gettext_lazy("it is too large"),
}


def error(field: str, message: "str | StrPromise", code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def validate_aes_key(value: str) -> None:
    if value and not AES_KEY.fullmatch(value):
        raise ValidationError(
            _("An EncodingAESKey is 43 characters of A-Z, a-z and 0-9 (it has %(length)d)."),
            code="bad_aes_key",
            params={"length": len(value)},
        )


def check_account(account: Any) -> None:
    if account.original_id and not ORIGINAL_ID.fullmatch(account.original_id):
        message = _(
            "An original ID is up to 64 letters, digits, _ and -, like gh_0123456789ab, "
            "as WeChat sends it in ToUserName."
        )
        raise error("original_id", message, "bad_original_id")
    if account.encryption_mode != EncryptionMode.PLAIN and not account.encoding_aes_key:
        raise error(
            "encoding_aes_key",
            _("Compatible and safe mode need the EncodingAESKey from the WeChat platform."),
            "aes_key_required",
        )


def check_rule(rule: Any) -> None:
    if rule.msg_type == MsgType.EVENT and not rule.event.strip():
        message = _("An event rule needs an event, e.g. subscribe or CLICK.")
        raise error("event", message, "no_event")
    if rule.msg_type != MsgType.EVENT and (rule.event or rule.event_key):
        field = "event" if rule.event else "event_key"
        message = _("Only rules of type event have an event.")
        raise error(field, message, "event_on_message_rule")
    check_time_window(rule)


def event_warnings(rule: Any) -> list[str]:
    """An event rule for an Event value WeChat never sends (关注 for subscribe) is valid
    but never answers: said when it is saved, with the event meant when it can tell."""
    if rule.msg_type != MsgType.EVENT or not rule.event or known_event(rule.event):
        return []
    meant = _meant_event(rule.event)
    names = ", ".join(kind.event for kind in EVENTS)
    if meant is not None:
        message = _(
            "“%(event)s” is not an event WeChat sends, so this rule never answers: "
            "did you mean %(meant)s (%(label)s)?"
        )
        return [message % {"event": rule.event, "meant": meant.event, "label": _(meant.label)}]
    message = _(
        "“%(event)s” is not an event WeChat sends, so this rule never answers. "
        "WeChat's events: %(names)s."
    )
    return [message % {"event": rule.event, "names": names}]


def _meant_event(value: str) -> Any:
    """The documented event a mistyped value names: the name with stray spaces, or its
    label (in English or the operator's language, whole or the part in brackets)."""
    wanted = normalize(value)
    for kind in EVENTS:
        labels = {kind.event, kind.label, _(kind.label), *re.findall(r"\((.+)\)", kind.label)}
        if wanted in {normalize(label) for label in labels}:
            return kind
    return None


def outranking_warnings(rule: Any, keyword_count: int, default: Any) -> list[str]:
    """A keyword-less message rule tried before the account's default rule (收到消息回复)
    answers every message of its type in its place: nothing reaches the default any more."""
    if not (rule.enabled and rule.msg_type in TEXT_BEARING and not keyword_count):
        return []
    if rule.requires_context:  # it answers only followers in its conversation
        return []
    if default is None or (-rule.priority, rule.name) >= (-default.priority, default.name):
        return []
    message = _(
        "This rule has no keywords and priority %(priority)d, above the default reply "
        "“%(default)s” (priority %(default_priority)d): it would answer every %(type)s "
        "before the default does. Add a keyword, or give it a priority below "
        "%(default_priority)d."
    )
    messages = {
        MsgType.ANY: _("follower message"),
        MsgType.TEXT: _("text message"),
        MsgType.VOICE: _("voice message"),
    }
    return [
        message
        % {
            "priority": rule.priority,
            "default": default.name,
            "default_priority": default.priority,
            "type": messages[rule.msg_type],
        }
    ]


# What is wrong with a schedule entry (autoreply/rules/schedule.py's codes), for operators.
SCHEDULE_PROBLEMS = {
    "empty_entry": gettext_lazy(
        "Entry %(entry)s is empty: give it days, from and to, or remove it."
    ),
    "missing": gettext_lazy("Entry %(entry)s has no “%(key)s”: give days, from and to."),
    "bad_days": gettext_lazy(
        "Entry %(entry)s: “%(value)s” are not days. Use mon, tue, wed, thu, fri, sat, sun, "
        "ranges and commas: mon-fri, sat,sun."
    ),
    "bad_time": gettext_lazy(
        "Entry %(entry)s: “%(value)s” is not a time for “%(key)s”: use HH:MM from 00:00 to "
        "23:59 (24:00 as an end)."
    ),
    "same_time": gettext_lazy(
        "Entry %(entry)s starts and ends at %(value)s: say which hours it covers "
        "(a “to” before “from” runs past midnight)."
    ),
}


def check_time_window(rule: Any) -> None:
    """`active_until` after `active_from`; every schedule entry parses."""
    start, until = rule.active_from, rule.active_until
    if start is not None and until is not None and until <= start:
        raise error(
            "active_until",
            _("A rule active until before it is active from would never answer."),
            "until_before_from",
        )
    if not isinstance(rule.schedule, list):
        raise error("schedule", _("The schedule is a list of days and hours."), "bad_schedule")
    try:
        weekly_spans(rule.schedule)
    except ScheduleError as exc:
        params = {"entry": exc.entry + 1, "key": exc.key, "value": exc.value}
        message = ValidationError(
            SCHEDULE_PROBLEMS[exc.code], code=f"schedule_{exc.code}", params=params
        )
        raise ValidationError({"schedule": message}) from None


# What is wrong with a rule's sets_context (autoreply/rules/conversations.py's codes).
CONVERSATION_PROBLEMS = {
    "not_an_object": gettext_lazy(
        'Starting a conversation takes a name and a lifetime: {"name": "workpiece", '
        '"seconds": 300}.'
    ),
    "unknown_key": gettext_lazy(
        "“%(key)s” is not part of starting a conversation: give only its name and seconds."
    ),
    "no_name": gettext_lazy("Give the conversation a name, e.g. workpiece."),
    "no_lifetime": gettext_lazy(
        "Say how long the conversation lasts: a number of seconds above 0, e.g. 300 for "
        "five minutes (a conversation without a lifetime would never end)."
    ),
}


def check_conversation(rule: Any) -> None:
    """sets_context has a name and a lifetime; a rule does not both start and end one."""
    try:
        change_of(rule.sets_context, rule.clears_context)
    except ConversationError as exc:
        message = CONVERSATION_PROBLEMS[exc.code] % {"key": exc.key}
        raise error("sets_context", message, f"context_{exc.code}") from None
    if rule.sets_context is not None and rule.clears_context:
        message = _(
            "A rule either starts a conversation or ends one: starting one already ends any other."
        )
        raise error("clears_context", message, "context_set_and_cleared")
    if rule.requires_context != rule.requires_context.strip():
        message = _("The conversation's name has spaces around it: remove them.")
        raise error("requires_context", message, "context_spaces")


def conversation_warnings(rule: Any, started: Iterable[str]) -> list[str]:
    """A rule only in a conversation that no rule of the account starts never answers;
    `started` are the names the account's rules set."""
    if rule.requires_context and rule.requires_context not in set(started):
        message = _(
            "Rule “%(rule)s” answers only in the conversation “%(name)s”, which no rule of "
            "this account starts: it will never answer until one does."
        )
        return [message % {"rule": rule.name, "name": rule.requires_context}]
    return []


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
    kind = REPLY_KINDS.get(reply.type)
    if kind is None:
        message = _("Unknown reply type %(type)r.") % {"type": reply.type}
        raise error("type", message, "bad_reply_type")
    for field in kind.fields:
        if field.required and not getattr(reply, field.name).strip():
            names = {"type": _(kind.label), "field": reply._meta.get_field(field.name).verbose_name}
            if reply.type[0] in "aeiou":
                message = _("An %(type)s reply needs a %(field)s.") % names
            else:
                message = _("A %(type)s reply needs a %(field)s.") % names
            raise error(field.name, message, "reply_field_missing")
    check_templates(reply, kind.field_names)


def check_article(article: Any) -> None:
    check_templates(article, [field.name for field in ARTICLE_FIELDS])


def check_lookup_entry(entry: Any) -> None:
    if not normalize(entry.key):
        raise error("key", _("A lookup key cannot be empty."), "empty_key")


def check_rule_parts(
    rule: Any, keywords: Sequence[Any], replies: Sequence[Any], article_counts: Sequence[int]
) -> None:
    """What depends on the rule and its parts together; `article_counts[i]` is the number
    of articles of `replies[i]`."""
    if keywords and rule.msg_type not in TEXT_BEARING:
        raise error(
            "msg_type",
            _(
                "Keywords only match text (and a voice message's recognised text): "
                "use type any, text or voice, or remove the keywords."
            ),
            "keywords_need_text",
        )
    for reply, count in zip(replies, article_counts, strict=True):
        check_reply_on_rule(rule, reply, count)


def check_reply_on_rule(rule: Any, reply: Any, article_count: int) -> None:
    kind = REPLY_KINDS.get(reply.type)
    if kind is None:
        return  # check_reply names the unknown type
    if not kind.answers_events and rule.msg_type == MsgType.EVENT:
        raise error(
            "type",
            _("%(type)s answers follower messages only, never events.")
            % {"type": capfirst(_(kind.label))},
            "transfer_on_event",
        )
    if not kind.articles:
        return
    limit = max_articles(answering_event=rule.msg_type == MsgType.EVENT)
    if not 1 <= article_count <= limit:
        counts = {"count": article_count, "limit": limit}
        if limit == NEWS_LIMIT_EVENT:
            message = _(
                "This news reply has %(count)d articles; "
                "a rule for events may carry up to %(limit)d."
            )
        else:
            message = _(
                "This news reply has %(count)d articles; "
                "WeChat shows only %(limit)d when answering a follower's message."
            )
        raise error("articles", message % counts, "article_count")


def reply_warnings(reply: Any) -> list[str]:
    """What WeChat accepts but followers will not see as intended."""
    if reply.type == ReplyType.TEXT and len(reply.content.encode()) > MAX_TEXT_BYTES:
        size = len(reply.content.encode())
        message = _(
            "The text reply is %(size)d bytes; WeChat's clients refuse text over "
            "%(limit)d bytes, so followers may see nothing."
        )
        return [message % {"size": size, "limit": MAX_TEXT_BYTES}]
    return []


def check_reply_all(rule: Any) -> None:
    """Reply all (回复全部) sends all but the first reply through the API: it needs the
    account's AppSecret."""
    account = rule.account if rule.account_id else None
    if rule.reply_mode == ReplyMode.ALL and account is not None and not account.app_secret:
        raise error(
            "reply_mode",
            _(
                "Rule %(rule)r: reply all (回复全部) sends the other replies as customer-service "
                "messages, which needs the account's AppSecret: set it on the account first."
            )
            % {"rule": rule.name},
            "reply_all_needs_app_secret",
        )
