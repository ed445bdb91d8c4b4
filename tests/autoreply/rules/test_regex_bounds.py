"""An operator's regex meets a hostile text, or does not compile: matching stays bounded
and the account's other rules keep answering. Pure: no database, no HTTP."""

import logging
import threading
import time

import pytest

from autoreply.rules.matching import RuleIndex
from autoreply.rules.regex_literals import required_literal
from tests.autoreply.rules.test_matching import Msg, first, spec

HOSTILE = r"^(\w+\s?)+$"  # catastrophic backtracking in Python's re on "aaa…a!"


@pytest.mark.parametrize("length", [26, 40, 5_000])
def test_a_backtracking_regex_gives_up_fast_and_the_next_rule_answers(length):
    index = RuleIndex(
        [
            spec(1, ("regex", HOSTILE), priority=10),
            spec(2, ("contains", "!"), priority=0),
        ]
    )
    started = time.monotonic()
    assert first(index, Msg(text="a" * length + "!")) == 2
    assert time.monotonic() - started < 0.25


def test_many_hostile_regexes_share_one_budget_per_message():
    patterns = [HOSTILE, r"^(a+)+$", r"^(a|aa)+$", r"^(\w*)*\d$", r"(a*)*b"]
    rules = [spec(i, ("regex", p), priority=100 - i) for i, p in enumerate(patterns * 4)]
    index = RuleIndex([*rules, spec(999, msg_type="text", priority=-1)])
    started = time.monotonic()
    assert first(index, Msg(text="a" * 5_000 + "!")) == 999
    assert time.monotonic() - started < 0.5


def test_other_threads_at_work_do_not_spend_a_messages_regex_budget():
    # A worker's threads share one process, whose CPU clock runs while the others work,
    # during a search as between two: only this thread's CPU may count.
    # No literal to filter them by: every one of the forty runs for every message.
    rules = [spec(i, ("regex", rf"^[a-z]{{{i}}}\d+$"), priority=100 - i) for i in range(1, 41)]
    index = RuleIndex(rules)
    stop = threading.Event()

    def spin() -> None:
        while not stop.is_set():
            sum(range(1_000))

    spinners = [threading.Thread(target=spin) for _ in range(3)]
    for spinner in spinners:
        spinner.start()
    try:
        answers = [first(index, Msg(text="x" * 40 + "7")) for _ in range(40)]
    finally:
        stop.set()
        for spinner in spinners:
            spinner.join(5)
    assert answers == [40] * 40


def test_ordinary_patterns_keep_re_search_semantics():
    index = RuleIndex(
        [
            spec(1, ("regex", r"^(?P<code>\d+)-(\d+)$"), priority=3),
            spec(2, ("regex", r"(?i)^hello\b"), priority=2),
            spec(3, ("regex", r"^(\w+)$"), priority=1),
            spec(4, ("regex", r"order"), priority=0),
        ]
    )
    hit = next(index.candidates(Msg(text="  18-546 ")))
    assert hit.rule.id == 1 and hit.match == {"0": "18-546", "1": "18", "2": "546", "code": "18"}
    assert first(index, Msg(text="HELLO there")) == 2
    assert first(index, Msg(text="你好")) == 3  # \w is Unicode, as in re
    assert first(index, Msg(text="ORDER 5")) is None  # case-sensitive without (?i)
    assert first(index, Msg(text="my order 5")) == 4


@pytest.mark.parametrize("pattern", ["a{4294967296}", "[unclosed", "(" * 200_000, "(?P<x"])
def test_a_pattern_that_does_not_compile_leaves_out_its_rule_only(pattern, caplog):
    with caplog.at_level(logging.ERROR):
        index = RuleIndex(
            [
                spec(1, ("regex", pattern), priority=5, name="broken"),
                spec(2, ("contains", "a"), priority=0),
            ]
        )
    assert first(index, Msg(text="a" * 10)) == 2
    assert [rule.id for rule in index.rules] == [2]
    assert "broken" in caplog.text and "left out" in caplog.text


@pytest.mark.parametrize(
    "pattern, literal",
    [(r"order (\d+)", "order "), (r"(?i)order", None), (r"\p{Han}+号", None), (r"a{e<=1}", None)],
)
def test_the_prefilter_reads_the_literal_the_engine_needs(pattern, literal):
    import regex

    assert required_literal(regex.compile(pattern)) == literal


def test_a_fuzzy_or_posix_pattern_is_not_prefiltered_away():
    index = RuleIndex(
        [spec(1, ("regex", r"(?:hello){e<=1}")), spec(2, ("regex", r"^[[:digit:]]+$"))]
    )
    assert first(index, Msg(text="hallo")) == 1
    assert first(index, Msg(text="123")) == 2
