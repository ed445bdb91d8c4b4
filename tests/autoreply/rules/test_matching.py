"""The rule index as pure functions: no database, no HTTP."""

import re
from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from autoreply.rules.matching import KeywordSpec, RuleIndex, RuleSpec
from autoreply.rules.regex_literals import required_literal
from autoreply.text import normalize


@dataclass(frozen=True)
class Msg:
    msg_type: str = "text"
    text: str = ""
    event: str = ""
    event_key: str = ""

    @property
    def is_event(self) -> bool:
        return self.msg_type == "event"


def spec(rule_id: int, *keywords: tuple[str, str], **fields) -> RuleSpec:
    return RuleSpec(
        id=rule_id, name=fields.pop("name", f"r{rule_id:03}"),
        keywords=tuple(KeywordSpec(mode, pattern) for mode, pattern in keywords), **fields,
    )  # fmt: skip


def first(index: RuleIndex, msg: Msg) -> int | None:
    hit = next(index.candidates(msg), None)
    return hit.rule.id if hit else None


def test_normalize_folds_width_case_and_space():
    assert normalize("  ＰＲＩＣＥ　") == "price"
    assert normalize("Straße") == normalize("STRASSE")
    assert normalize("①") == "1"


def test_candidates_come_best_first_across_kinds():
    index = RuleIndex([
        spec(1, ("regex", "a+"), priority=1),
        spec(2, ("contains", "aa"), priority=3),
        spec(3, ("exact", "aaa"), priority=2),
        spec(4, msg_type="text", priority=0),
        spec(5, msg_type="any", priority=-1),
    ])  # fmt: skip
    assert [hit.rule.id for hit in index.candidates(Msg(text="aaa"))] == [2, 3, 1, 4, 5]


def test_each_rule_comes_once_even_when_several_keywords_match():
    index = RuleIndex([spec(1, ("contains", "a"), ("contains", "b"), ("regex", "a"))])
    assert [hit.rule.id for hit in index.candidates(Msg(text="ab"))] == [1]


def test_regexes_after_the_winner_are_never_run():
    class Exploding:
        flags = 0
        pattern = "x"

        def search(self, text):
            raise AssertionError("this regex should not have run")

    index = RuleIndex([spec(1, ("exact", "hi"), priority=5), spec(2, ("regex", "h"))])
    index._regexes[0] = index._regexes[0].__class__(1, KeywordSpec("regex", "h"), Exploding())
    assert first(index, Msg(text="hi")) == 1


def test_regex_without_its_literal_is_not_run_but_matches_when_present():
    index = RuleIndex([spec(1, ("regex", r"order (\d+)"))])
    assert first(index, Msg(text="my order 12")) == 1
    assert first(index, Msg(text="my ORDER 12")) is None


def test_type_filters():
    index = RuleIndex([
        spec(1, ("contains", "x"), msg_type="voice"),
        spec(2, ("contains", "x"), msg_type="text", priority=-1),
    ])  # fmt: skip
    assert first(index, Msg("voice", "x")) == 1
    assert first(index, Msg("text", "x")) == 2
    assert first(index, Msg("image")) is None


def test_match_groups():
    index = RuleIndex([spec(1, ("regex", r"^(?P<a>\w)(\w)?$"))])
    hit = next(index.candidates(Msg(text="x")))
    assert hit.match == {"0": "x", "1": "x", "2": "", "a": "x"}


def test_event_keys():
    index = RuleIndex([
        spec(1, msg_type="event", event="CLICK", event_key="K"),
        spec(2, msg_type="event", event="subscribe", event_key="qrscene_9"),
    ])  # fmt: skip
    assert first(index, Msg("event", event="click", event_key="K")) == 1
    assert first(index, Msg("event", event="CLICK", event_key="")) is None
    assert first(index, Msg("event", event="subscribe", event_key="qrscene_9")) == 2
    assert first(index, Msg("event", event="SCAN", event_key="9")) == 2


def test_ten_thousand_rules_still_find_the_right_one():
    rules = [spec(i, ("exact", f"word{i}"), priority=i % 7) for i in range(10_000)]
    rules.append(spec(10_000, ("contains", "needle"), priority=-5))
    index = RuleIndex(rules)
    assert first(index, Msg(text="WORD4242")) == 4242
    assert first(index, Msg(text="a needle in a haystack")) == 10_000


# A small regex language whose literals we know how to test against.
atoms = st.sampled_from(["a", "b", "ab", "ba", ".", r"\d", "[ab]", "(a|b)", "x"])
quantifiers = st.sampled_from(["", "", "*", "+", "?", "{2}"])
patterns = st.lists(st.tuples(atoms, quantifiers), min_size=1, max_size=6).map(
    lambda parts: "".join(
        f"(?:{atom}){q}" if len(atom) > 1 and q else atom + q for atom, q in parts
    )
)


@settings(max_examples=400, deadline=None)
@given(pattern=patterns, text=st.text(alphabet="abx1 ", max_size=12))
def test_a_regex_never_matches_text_without_its_required_literal(pattern, text):
    compiled = re.compile(pattern)
    literal = required_literal(compiled)
    if literal is not None and compiled.search(text):
        assert literal in text


@settings(max_examples=200, deadline=None)
@given(pattern=patterns, text=st.text(alphabet="abx1 ", max_size=12))
def test_the_index_agrees_with_plain_re_search(pattern, text):
    index = RuleIndex([spec(1, ("regex", pattern))])
    expected = 1 if text.strip() and re.search(pattern, text.strip()) else None
    assert first(index, Msg(text=text)) == expected
