"""The compiled rule index: which rules answer a message, in order, without a database.

Built once per rule version from plain `RuleSpec`s: exact keywords in a dict, contains
keywords in one Aho-Corasick automaton, regexes behind a literal prefilter so that only
those whose required text occurs are run, and only while they could still beat the best
candidate found so far. Candidates come out highest priority first (ties by name), and
only rules inside their time window at the push's CreateTime (rules/schedule.py).

Regexes run within a per-message budget (see `regexes`): a hostile text cannot hold a
worker, and a rule whose pattern does not compile is left out, logged.
"""

import logging
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

import ahocorasick

from autoreply.rules import regex_literals
from autoreply.rules.conversations import ContextChange
from autoreply.rules.regexes import REGEX_BUDGET, Budget, compile_pattern
from autoreply.rules.schedule import Moment, Window
from autoreply.text import normalize

logger = logging.getLogger(__name__)
T = TypeVar("T")

PAUSE_EVERY, PAUSE_SECONDS = 100, 0.001
"""Rules compiled between two pauses of a rebuild (below), and a pause's length: not 0,
which under gevent switches back at once, before the other greenlets' sockets are read."""

EXACT, CONTAINS, REGEX = "exact", "contains", "regex"
ANY, EVENT = "any", "event"
TEXT_TYPES = frozenset({"text", "voice"})  # a voice message's text is its Recognition
SCENE_EVENTS = ("subscribe", "scan")  # a QR scene: new followers subscribe, others SCAN
SCENE_PREFIX = "qrscene_"


class Inbound(Protocol):
    """What matching needs to know of a message (wechat.messages.Message has it)."""

    @property
    def msg_type(self) -> str: ...
    @property
    def event(self) -> str: ...
    @property
    def event_key(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def is_event(self) -> bool: ...


@dataclass(frozen=True, slots=True)
class KeywordSpec:
    mode: str
    pattern: str


@dataclass(frozen=True, eq=False, slots=True)
class RuleSpec:
    """An enabled rule as matching sees it; `payload` is whatever the caller answers with."""

    id: int
    name: str
    priority: int = 0
    msg_type: str = ANY
    event: str = ""
    event_key: str = ""
    keywords: tuple[KeywordSpec, ...] = ()
    cooldown_seconds: int = 0
    payload: Any = None
    window: Window | None = None  # None: any time
    requires_context: str = ""  # '': answers followers in any conversation or none
    context_change: ContextChange | None = None  # what answering does to the conversation

    def accepts(self, msg_type: str) -> bool:
        return self.msg_type == msg_type or self.msg_type == ANY

    def answers_at(self, moment: Moment) -> bool:
        return self.window is None or self.window.contains(moment)

    def answers_in(self, context: str) -> bool:
        return not self.requires_context or self.requires_context == context


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule that matches, and what matched: `match["0"]`, and regex groups by number/name."""

    rule: RuleSpec
    match: dict[str, str]
    keyword: KeywordSpec | None = None


@dataclass(frozen=True, slots=True)
class _Regex:
    rank: int
    keyword: KeywordSpec
    compiled: Any  # a compiled `regex` pattern


@dataclass
class _Found:
    """Candidates found without running a regex, by rank."""

    hits: dict[int, Hit] = field(default_factory=dict)

    def add(self, rank: int, hit: Hit) -> None:
        self.hits.setdefault(rank, hit)


class RuleIndex:
    """Every enabled rule of one account, indexed for matching."""

    def __init__(self, rules: Iterable[RuleSpec], regex_budget: float = REGEX_BUDGET) -> None:
        usable = [
            (rule, regexes)
            for rule in paused(rules)
            if (regexes := _compile_regexes(rule)) is not None
        ]
        usable.sort(key=lambda pair: (-pair[0].priority, pair[0].name))
        self.rules = [rule for rule, _ in usable]
        self.regex_budget = regex_budget
        self._exact: dict[str, list[tuple[int, KeywordSpec]]] = {}
        self._contains = _Automaton()
        self._regexes: list[_Regex] = []
        self._literals = _Automaton()  # a required literal -> positions in self._regexes
        self._unfiltered: list[int] = []  # regexes with no required literal: always run
        self._by_type: dict[str, list[int]] = {}  # keyword-less rules per message type
        self._by_event: dict[str, list[int]] = {}  # event rules per lower-cased event
        self._timed = any(rule.window is not None for rule in self.rules)
        self._conversational = any(rule.requires_context for rule in self.rules)
        # Only these accounts' pushes read the follower's context (one indexed read).
        self.uses_context = self._conversational or any(
            rule.context_change is not None for rule in self.rules
        )
        for rank, (rule, regexes) in enumerate(paused(usable)):
            self._add(rank, rule, iter(regexes))
        self._contains.finish()
        self._literals.finish()

    def _add(self, rank: int, rule: RuleSpec, regexes: Iterator[Any]) -> None:
        if rule.msg_type == EVENT:
            self._by_event.setdefault(rule.event.lower(), []).append(rank)
        elif not rule.keywords:
            self._by_type.setdefault(rule.msg_type, []).append(rank)
        for keyword in rule.keywords:
            if keyword.mode == EXACT:
                self._exact.setdefault(normalize(keyword.pattern), []).append((rank, keyword))
            elif keyword.mode == CONTAINS:
                self._contains.add(normalize(keyword.pattern), (rank, keyword))
            else:
                self._add_regex(rank, keyword, next(regexes))

    def _add_regex(self, rank: int, keyword: KeywordSpec, compiled: Any) -> None:
        position = len(self._regexes)
        self._regexes.append(_Regex(rank, keyword, compiled))
        literal = regex_literals.required_literal(compiled)
        if literal:
            self._literals.add(literal, position)
        else:
            self._unfiltered.append(position)

    def candidates(
        self,
        message: Inbound,
        when: int | None = None,
        *,
        context: str = "",
        any_time: bool = False,
        any_context: bool = False,
    ) -> Iterator[Hit]:
        """Every rule that matches `message`, best first (lazily: regexes run on demand),
        leaving out rules outside their time at `when` (epoch seconds; by default the
        message's CreateTime) unless `any_time`, and rules only in a conversation other
        than the follower's `context` unless `any_context` (the try page, saying what was
        skipped)."""
        if message.is_event:
            hits = self._event_candidates(message)
        else:
            hits = self._message_candidates(message)
        if self._conversational and not any_context:
            hits = (hit for hit in hits if hit.rule.answers_in(context))
        if not self._timed or any_time:
            return hits
        if when is None:
            when = getattr(message, "create_time", None)
        moment = Moment(int(time.time()) if when is None else when)
        return (hit for hit in hits if hit.rule.answers_at(moment))

    def _event_candidates(self, message: Inbound) -> Iterator[Hit]:
        name = message.event.lower()
        key = message.event_key
        if name in SCENE_EVENTS:
            key = key.removeprefix(SCENE_PREFIX)
        match = {"0": message.event_key}
        for rank in self._by_event.get(name, ()):
            rule = self.rules[rank]
            if not rule.event_key or comparable_key(rule) == key:
                yield Hit(rule, match)
        if name == "scan" and key:  # a scene's subscribe rule also greets followers who SCAN
            for rank in self._by_event.get("subscribe", ()):
                if self.rules[rank].event_key and comparable_key(self.rules[rank]) == key:
                    yield Hit(self.rules[rank], match)

    def _message_candidates(self, message: Inbound) -> Iterator[Hit]:
        text = message.text.strip() if message.msg_type in TEXT_TYPES else ""
        found = _Found()
        whole = {"0": text}
        for msg_type in (message.msg_type, ANY):
            for rank in self._by_type.get(msg_type, ()):
                found.add(rank, Hit(self.rules[rank], whole))
        if text:
            self._keyword_hits(message.msg_type, text, found)
        eager = sorted(found.hits.items())
        position = 0
        budget = Budget(self.regex_budget)
        for regex in self._regex_candidates(text):
            while position < len(eager) and eager[position][0] < regex.rank:
                yield eager[position][1]
                position += 1
            hit = self._run_regex(regex, message.msg_type, text, found, budget)
            if hit:
                yield hit
        for _, hit in eager[position:]:
            yield hit

    def _keyword_hits(self, msg_type: str, text: str, found: _Found) -> None:
        normalized = normalize(text)
        for rank, keyword in self._exact.get(normalized, ()):
            if self.rules[rank].accepts(msg_type):
                found.add(rank, Hit(self.rules[rank], {"0": text}, keyword))
        for rank, keyword in self._contains.values_in(normalized):
            if self.rules[rank].accepts(msg_type):
                found.add(rank, Hit(self.rules[rank], {"0": normalize(keyword.pattern)}, keyword))

    def _regex_candidates(self, text: str) -> list[_Regex]:
        if not text or not self._regexes:
            return []
        positions = set(self._unfiltered)
        positions.update(self._literals.values_in(text))
        return [self._regexes[p] for p in sorted(positions)]

    def _run_regex(
        self, regex: _Regex, msg_type: str, text: str, found: _Found, budget: Budget
    ) -> Hit | None:
        rule = self.rules[regex.rank]
        if regex.rank in found.hits or not rule.accepts(msg_type):
            return None
        m = budget.search(regex.compiled, text, f"rule {rule.id} ({rule.name})")
        if m is None:
            return None
        match = {str(i): group or "" for i, group in enumerate((m.group(0), *m.groups()))}
        match.update((name, group or "") for name, group in m.groupdict().items())
        hit = Hit(rule, match, regex.keyword)
        found.add(regex.rank, hit)  # a rule's other regexes need not run
        return hit


def _compile_regexes(rule: RuleSpec) -> list[Any] | None:
    """The rule's regex keywords compiled, in order; None (logged) when one cannot be: that
    rule is left out, and every other rule of the account still answers."""
    compiled = []
    for keyword in rule.keywords:
        if keyword.mode not in (EXACT, CONTAINS):
            try:
                compiled.append(compile_pattern(keyword.pattern))
            except Exception as exc:  # any failure of one operator's pattern, see compile_pattern
                logger.error(
                    "rule %s (%s) is left out: its regex %.80r does not compile: %s: %.200s",
                    rule.id,
                    rule.name,
                    keyword.pattern,
                    type(exc).__name__,
                    exc,
                )
                return None
    return compiled


def comparable_key(rule: RuleSpec) -> str:
    """The rule's EventKey as compared: a QR scene's without its `qrscene_` prefix."""
    if rule.event.lower() in SCENE_EVENTS:
        return rule.event_key.removeprefix(SCENE_PREFIX)
    return rule.event_key


def paused(items: Iterable[T]) -> Iterator[T]:
    """The items, with a pause (a short sleep) after every PAUSE_EVERY of them.

    A rebuild of 10,000 rules is most of a second of CPU. A gevent worker runs its other
    pushes only when the greenlet rebuilding pauses; without pauses they all waited for the
    whole rebuild, past the watchdog's cut-off. Under gevent the pause is gevent's sleep,
    under threads it hands over the GIL."""
    for number, item in enumerate(items, 1):
        yield item
        if number % PAUSE_EVERY == 0:
            time.sleep(PAUSE_SECONDS)


class _Automaton:
    """pyahocorasick, holding every value stored under a word, empty-safe."""

    def __init__(self) -> None:
        self._automaton = ahocorasick.Automaton()
        self._ready = False

    def add(self, word: str, value: Any) -> None:
        if not word:
            return
        existing = self._automaton.get(word, None)
        if existing is None:
            self._automaton.add_word(word, [value])
        else:
            existing.append(value)

    def finish(self) -> None:
        if len(self._automaton):
            self._automaton.make_automaton()
            self._ready = True

    def values_in(self, text: str) -> Iterator[Any]:
        if self._ready:
            for _end, values in self._automaton.iter(text):
                yield from values
