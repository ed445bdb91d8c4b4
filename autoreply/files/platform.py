"""Carrying an account's rules over from the WeChat platform's own auto-reply.

Reads what `get_current_autoreply_info` answers and writes the same behaviour as a rules
file for one account, imported with `rules_import` (same validation, one transaction):
https://developers.weixin.qq.com/doc/offiaccount/Message_Management/Getting_Rules_for_Auto_Replies.html

- the follow reply (被关注回复) becomes a `subscribe` event rule;
- the default reply (收到消息回复) a lowest-priority rule for any message that answers a
  follower at most once an hour, as the platform does;
- each keyword rule (关键词回复) a text rule, `equal` -> exact, `contain` -> contains, in the
  API's order (first listed wins), `random_one` -> random.
A switch that is off imports its rule disabled. What a passive reply cannot do as the
platform did (several replies at once, several articles, a video given as a link,
temporary media) is imported as near as possible, with a warning saying what to check.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from autoreply.errors import ImportRefused
from autoreply.files.rules_import import Report, import_rules
from autoreply.models import Account, Rule
from autoreply.templating import literal
from wechat.replies import max_articles

FOLLOW_NAME = "platform: 被关注回复"
DEFAULT_NAME = "platform: 收到消息回复"
KEYWORD_PREFIX = "platform: "
NAME_LENGTH = Rule._meta.get_field("name").max_length or 100
DEFAULT_PRIORITY = -100
DEFAULT_COOLDOWN = 3600  # the platform's default reply answers a follower once an hour
MATCH_MODES = {"equal": "exact", "contain": "contains"}
REPLY_MODES = {"random_one": "random", "reply_all": "first"}
TOP_LEVEL = (
    "is_add_friend_reply_open",
    "is_autoreply_open",
    "add_friend_autoreply_info",
    "message_default_autoreply_info",
    "keyword_autoreply_info",
)
MEDIA_TYPES = {"img": "image", "voice": "voice", "video": "video"}


class PlatformFileError(ImportRefused):
    """The file is not a usable get_current_autoreply_info answer; one problem a line."""


@dataclass
class Conversion:
    document: dict[str, Any]
    warnings: list[str] = field(default_factory=list)


def import_platform(account: Account, data: Any) -> tuple[Report, list[str]]:
    """Import the platform's rules into `account`; raises PlatformFileError or
    schema.RulesFileError, writing nothing, on any problem."""
    conversion = convert(data, account.slug, reply_all=bool(account.app_secret))
    return import_rules(conversion.document), conversion.warnings


def convert(data: Any, slug: str, reply_all: bool = False) -> Conversion:
    """The rules file (for account `slug`) doing what the platform's auto-reply did."""
    if not isinstance(data, dict):
        raise PlatformFileError([_("the file is not a JSON object")])
    if data.get("errcode"):
        message = _("the file is WeChat's error answer %(code)s: %(text)s")
        raise PlatformFileError(
            [message % {"code": data["errcode"], "text": data.get("errmsg", "")}]
        )
    if not data.keys() & set(TOP_LEVEL):
        message = _("the file is not a get_current_autoreply_info answer: none of %(keys)s")
        raise PlatformFileError([message % {"keys": ", ".join(TOP_LEVEL)}])
    converter = _Converter(reply_all)
    rules = converter.rules(data)
    if converter.problems:
        raise PlatformFileError(converter.problems)
    return Conversion({"accounts": [{"slug": slug, "rules": rules}]}, converter.warnings)


class _Converter:
    """One pass over the answer, collecting every problem and warning on the way."""

    def __init__(self, reply_all: bool = False) -> None:
        self.reply_all = reply_all  # the account has an AppSecret: reply_all can be `all`
        self.problems: list[str] = []
        self.warnings: list[str] = []
        self.names: set[str] = set()

    def rules(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        rules = []
        if follow := data.get("add_friend_autoreply_info"):
            reply = self.reply(follow, "add_friend_autoreply_info", event=True)
            enabled = self.switch(data, "is_add_friend_reply_open", FOLLOW_NAME)
            rules.append(
                self.rule(
                    FOLLOW_NAME, [reply], msg_type="event", event="subscribe", enabled=enabled
                )
            )
        if default := data.get("message_default_autoreply_info"):
            reply = self.reply(default, "message_default_autoreply_info", event=False)
            enabled = self.switch(data, "is_autoreply_open", DEFAULT_NAME)
            rules.append(
                self.rule(
                    DEFAULT_NAME,
                    [reply],
                    priority=DEFAULT_PRIORITY,
                    cooldown_seconds=DEFAULT_COOLDOWN,
                    enabled=enabled,
                )
            )
        info = data.get("keyword_autoreply_info") or {"list": []}
        listed = self.items(info, "list", "keyword_autoreply_info", empty_ok=True)
        rules.extend(self.keyword_rule(item, n, len(listed)) for n, item in enumerate(listed))
        return rules

    def switch(self, data: dict[str, Any], name: str, rule: str) -> bool:
        value = data.get(name, 1)  # absent: on, as the rule's presence says
        if value not in (0, 1) or isinstance(value, bool):
            message = _("%(name)s: expected 0 or 1, got %(value)s")
            self.problems.append(message % {"name": name, "value": f"{value!r:.40}"})
        if value == 0:
            message = _("%(name)s is 0 on the platform: %(rule)r imported disabled")
            self.warnings.append(message % {"name": name, "rule": rule})
        return bool(value != 0)

    def keyword_rule(self, item: Any, number: int, count: int) -> dict[str, Any]:
        item = item if isinstance(item, dict) else {}
        name = item.get("rule_name")
        where = f"platform rule {name!r}" if name else f"keyword_autoreply_info.list[{number}]"
        mode = item.get("reply_mode", "random_one")
        if mode not in REPLY_MODES:
            self.problems.append(
                _("%(where)s, reply_mode: expected random_one or reply_all") % {"where": where}
            )
        replies = [
            self.reply(reply, f"{where}, reply_list_info[{i}]", event=False)
            for i, reply in enumerate(self.items(item, "reply_list_info", where))
        ]
        if mode == "reply_all" and len(replies) > 1 and not self.reply_all:
            message = _(
                "%(where)s: the platform sent all %(count)d replies (reply_all); a passive "
                "reply carries one, so the rule sends the first (set the account's AppSecret "
                "to send them all)"
            )
            self.warnings.append(message % {"where": where, "count": len(replies)})
        keywords = [
            self.keyword(keyword, f"{where}, keyword_list_info[{i}]")
            for i, keyword in enumerate(self.items(item, "keyword_list_info", where))
        ]
        name = KEYWORD_PREFIX + str(name or f"keyword rule {number + 1}")
        return self.rule(
            name,
            replies,
            priority=count - number,
            msg_type="text",
            keywords=keywords,
            reply_mode=self.reply_mode(mode),
        )

    def reply_mode(self, mode: str) -> str:
        return "all" if mode == "reply_all" and self.reply_all else REPLY_MODES.get(mode, "random")

    def keyword(self, item: Any, where: str) -> dict[str, str]:
        mode = item.get("match_mode") if isinstance(item, dict) else None
        if mode not in MATCH_MODES:
            message = _("%(where)s, match_mode: expected equal or contain, got %(value)s")
            self.problems.append(message % {"where": where, "value": f"{mode!r:.40}"})
        pattern = self.text(item, "content", where)
        return {"mode": MATCH_MODES.get(str(mode), "exact"), "pattern": pattern}

    def rule(
        self, name: str, replies: list[dict[str, Any] | None], **fields: Any
    ) -> dict[str, Any]:
        """A rules-file rule, its name cut to fit and numbered if the platform used it twice."""
        candidate, number = name[:NAME_LENGTH], 1
        while candidate in self.names:
            number += 1
            candidate = f"{name[: NAME_LENGTH - len(str(number)) - 3]} ({number})"
        self.names.add(candidate)
        return {"name": candidate, **fields, "replies": [r for r in replies if r]}

    def items(self, item: Any, key: str, where: str, empty_ok: bool = False) -> list[Any]:
        value = item.get(key) if isinstance(item, dict) else None
        if not isinstance(value, list) or not (value or empty_ok):
            message = _("%(where)s, %(key)s: expected a non-empty list")
            self.problems.append(message % {"where": where, "key": key})
            return []
        return value

    def text(self, item: Any, key: str, where: str) -> str:
        value = item.get(key) if isinstance(item, dict) else None
        if not isinstance(value, str):
            message = _("%(where)s, %(key)s: expected text, got %(value)s")
            self.problems.append(message % {"where": where, "key": key, "value": f"{value!r:.40}"})
            return ""
        return value

    def reply(self, item: Any, where: str, event: bool) -> dict[str, Any] | None:
        kind = item.get("type") if isinstance(item, dict) else None
        converter = REPLY_CONVERTERS.get(kind) if isinstance(kind, str) else None
        if converter is None:
            known = ", ".join(REPLY_CONVERTERS)
            message = _("%(where)s, type: expected one of %(known)s, got %(value)s")
            self.problems.append(
                message % {"where": where, "known": known, "value": f"{kind!r:.40}"}
            )
            return None
        return converter(self, item, where, event)


def _text(self: _Converter, item: dict[str, Any], where: str, event: bool) -> dict[str, Any]:
    return {"type": "text", "content": literal(self.text(item, "content", where))}


def _media(self: _Converter, item: dict[str, Any], where: str, event: bool) -> dict[str, Any]:
    content, kind = self.text(item, "content", where), MEDIA_TYPES[item["type"]]
    if kind == "video" and content.startswith(("http://", "https://")):
        message = _(
            "%(where)s: the video is a link, not a media_id a passive reply "
            "can send; imported as a text reply with the link"
        )
        self.warnings.append(message % {"where": where})
        return {"type": "text", "content": literal(content)}
    message = _(
        "%(where)s: the %(kind)s's media_id is temporary material (WeChat keeps it 3 days); "
        "upload the file as permanent material and put its media_id in the rule"
    )
    self.warnings.append(message % {"where": where, "kind": kind})
    return {"type": kind, "media_id": content}


def _news(self: _Converter, item: dict[str, Any], where: str, event: bool) -> dict[str, Any]:
    articles = self.items(item.get("news_info"), "list", f"{where}, news_info")
    limit = max_articles(answering_event=event)
    if len(articles) > limit:
        message = _(
            "%(where)s: WeChat shows %(limit)d article(s) in this reply, not "
            "%(count)d; imported the first"
        )
        self.warnings.append(message % {"where": where, "limit": limit, "count": len(articles)})
    return {
        "type": "news",
        "articles": [
            _article(self, article, f"{where}, news_info.list[{i}]")
            for i, article in enumerate(articles[:limit])
        ],
    }


def _article(self: _Converter, article: Any, where: str) -> dict[str, str]:
    article = article if isinstance(article, dict) else {}  # `text` reports the missing title
    values = {"title": self.text(article, "title", where)}
    for ours, theirs in PLATFORM_ARTICLE_KEYS.items():
        values[ours] = self.text(article, theirs, where) if article.get(theirs) else ""
    return {name: literal(value) for name, value in values.items()}


# Our article fields and the platform's keys for them (the title is "title" on both sides).
PLATFORM_ARTICLE_KEYS = {"description": "digest", "pic_url": "cover_url", "url": "content_url"}
REPLY_CONVERTERS: dict[str, Callable[[_Converter, dict[str, Any], str, bool], dict[str, Any]]] = {
    "text": _text,
    "img": _media,
    "voice": _media,
    "video": _media,
    "news": _news,
}
