"""Trying a message against an account's saved rules: which rule would answer, why, and
the exact reply XML. Nothing is stored and nothing is sent to WeChat; cooldowns are
not applied (a trial has no follower history), and the page says so. A trial may be
tried at another time than now: its CreateTime decides, as a push's does.
"""

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from autoreply.choices import MsgType, ReplyMode, Status
from autoreply.lookups import tables
from autoreply.models import Account
from autoreply.rules import loading
from autoreply.rules.matching import Hit
from autoreply.rules.rendering import Decision, answer, render_replies
from autoreply.rules.schedule import Moment
from wechat.messages import Message, parse_message
from wechat.replies import Reply
from wechat.xmlwriter import write_xml

TRIAL_OPENID = "o_trial_in_admin"
MAX_CANDIDATES = 10

# The fields each kind of trial message carries besides the header.
SAMPLE_FIELDS: dict[str, Callable[["Attempt"], dict[str, object]]] = {
    "text": lambda t: {"Content": t.text},
    "voice": lambda t: {
        "MediaId": t.media_id or "VOICE_MEDIA_ID",
        "Format": "amr",
        "Recognition": t.text,
    },
    "image": lambda t: {
        "PicUrl": "http://mmbiz.qpic.cn/trial.jpg",
        "MediaId": t.media_id or "IMAGE_MEDIA_ID",
    },
    "location": lambda t: {
        "Location_X": 23.134521,
        "Location_Y": 113.358803,
        "Scale": 20,
        "Label": t.text or "广州市海珠区",
    },
    "event": lambda t: {"Event": t.event, "EventKey": t.event_key},
}
KINDS = tuple(SAMPLE_FIELDS)
# How `reason` names a keyword's mode: the platform's words in Chinese.
MODE_WORDS = {
    "exact": gettext_lazy("exact"),
    "contains": gettext_lazy("contains"),
    "regex": gettext_lazy("regex"),
}


@dataclass(frozen=True)
class Attempt:
    """What the operator typed: a message kind and its text, or an event and its key, and
    when it is sent (None: now)."""

    kind: str = "text"
    text: str = ""
    event: str = ""
    event_key: str = ""
    media_id: str = ""
    at: datetime | None = None
    context: str = ""  # the conversation the follower is in ('' for none)


@dataclass
class Trial:
    message: Message
    inbound_xml: bytes
    candidates: list[Hit] = field(default_factory=list)
    decision: Decision | None = None
    outside: list[Hit] = field(default_factory=list)  # would match, but not at that time
    elsewhere: list[Hit] = field(default_factory=list)  # would match in another conversation
    follow_ups: tuple[Reply, ...] = ()  # reply all (回复全部): sent after the answer, in order
    follow_up_error: str = ""

    @property
    def winner(self) -> Hit | None:
        return self.candidates[0] if self.candidates else None


def try_message(account: Account, attempt: Attempt) -> Trial:
    """Match `attempt` against the account's enabled rules as saved now, and render, as
    the webhook would answer it at `attempt.at`."""
    sent = int(attempt.at.timestamp()) if attempt.at else int(time.time())
    header = {
        "ToUserName": account.original_id or "gh_trial",
        "FromUserName": TRIAL_OPENID,
        "CreateTime": sent,
        "MsgType": "event" if attempt.kind == "event" else attempt.kind,
    }
    if attempt.kind != "event":
        header["MsgId"] = time.time_ns() // 1000
    inbound = write_xml({**header, **SAMPLE_FIELDS[attempt.kind](attempt)})
    message = parse_message(inbound)
    index = loading.load_index(account.pk)
    context = attempt.context.strip()
    candidates = list(islice(index.candidates(message, context=context), MAX_CANDIDATES))
    winner = candidates[0] if candidates else None
    lookups = tables.load(account.pk)
    decision = answer(winner, message, lookups, sent, context)
    moment = Moment(sent)
    every = list(islice(index.candidates(message, any_time=True, any_context=True), MAX_CANDIDATES))
    outside = [hit for hit in every if not hit.rule.answers_at(moment)]
    elsewhere = [hit for hit in every if not hit.rule.answers_in(context)]
    trial = Trial(message, inbound, candidates, decision, outside, elsewhere)
    if winner is not None and decision.status == Status.REPLY:
        _follow_up(trial, winner, lookups, context)
    return trial


def _follow_up(
    trial: Trial, hit: Hit, lookups: Mapping[str, Mapping[str, str]], context: str
) -> None:
    """Reply all's other replies, rendered as the worker will send them."""
    if hit.rule.payload.reply_mode != ReplyMode.ALL:
        return
    try:
        trial.follow_ups = render_replies(hit, trial.message, lookups, start=1, context=context)
    except Exception as exc:  # a template filter can raise anything: say it, as answer() does
        trial.follow_up_error = f"{type(exc).__name__}: {exc}"


def reason(hit: Hit) -> str:
    """Why `hit` matched, in the operator's words."""
    rule, keyword = hit.rule, hit.keyword
    if keyword is not None:
        mode = MODE_WORDS.get(keyword.mode, keyword.mode)
        return _("%(mode)s keyword “%(pattern)s” matched “%(text)s”") % {
            "mode": mode,
            "pattern": keyword.pattern,
            "text": hit.match["0"],
        }
    if rule.msg_type == MsgType.EVENT and rule.event_key:
        message = _("a rule for the %(event)s event with key “%(key)s”")
        return message % {"event": rule.event, "key": rule.event_key}
    if rule.msg_type == MsgType.EVENT:
        return _("a rule for the %(event)s event") % {"event": rule.event}
    if rule.msg_type == MsgType.ANY:
        return _("a rule for every follower message (no keywords)")
    message = _("a rule for every %(type)s message (no keywords)")
    return message % {"type": dict(MsgType.choices).get(rule.msg_type, rule.msg_type)}
