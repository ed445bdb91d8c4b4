"""What a regex's parsed shape tells before it runs: which text it cannot match without
(the prefilter that spares running it), and whether it nests repeats (may be slow).

A regex is only tried on a message containing its required literal. The literal is
read off the pattern as Python's `re` parses it, taking only text every match must
contain: literal runs in the top-level sequence, in groups, and in repeats of at least
one; never inside alternations, optional parts, lookarounds or case-insensitive parts.

Patterns run on the `regex` module, which reads every `re` pattern the same way except
for a few spellings that `re` takes as plain text: fuzzy matching (`(?:ab){e<=1}`) and
POSIX classes (`[[:digit:]]`). A pattern whose `re` reading has a literal `{`, `}` or
`]`, or that `re` cannot read at all (`\\p{Han}`), gets no literal: it always runs.
"""

import re
import warnings
from collections.abc import Iterator
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

REPEATS = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}
AMBIGUOUS = frozenset(map(ord, "{}]"))  # literal to `re`, syntax to `regex`


def required_literal(regex: Any) -> str | None:
    """The longest text every match of `regex` (a compiled `re` or `regex` pattern)
    contains, or None when there is none or the pattern cannot be read safely."""
    parsed = None if regex.flags & re.IGNORECASE else _parse(regex.pattern)
    if parsed is None or parsed.state.flags & re.IGNORECASE:
        return None
    if any(v in AMBIGUOUS for v in _literals(parsed)):
        return None
    runs: list[str] = []
    _collect(parsed, runs)
    return max(runs, key=len, default="") or None


def _collect(sequence: Any, runs: list[str]) -> None:
    run: list[str] = []
    for op, av in sequence:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        runs.append("".join(run))
        run = []
        if op is c.SUBPATTERN:
            _group, add_flags, _del_flags, inner = av
            if not add_flags & re.IGNORECASE:
                _collect(inner, runs)
        elif op in REPEATS:
            minimum, _maximum, inner = av
            if minimum >= 1:
                _collect(inner, runs)
        elif op is getattr(c, "ATOMIC_GROUP", None):
            _collect(av, runs)
    runs.append("".join(run))


def _literals(sequence: Any) -> Iterator[int]:
    """Every LITERAL's code point, at any depth (outside character sets)."""
    for op, av in sequence:
        if op is c.LITERAL:
            yield av
        for branch in [av[2]] if op in REPEATS else _branches(op, av):
            yield from _literals(branch)


def nests_repeats(pattern: str) -> bool:
    """True when an unbounded repeat sits inside another repeat (`(a+)+`, `(\\w+\\s?)*`):
    the shape that backtracks exponentially on a text that almost matches."""
    parsed = _parse(pattern)
    return parsed is not None and _nested(parsed, inside_repeat=False)


def _nested(sequence: Any, inside_repeat: bool) -> bool:
    for op, av in sequence:
        if op in REPEATS:
            _minimum, maximum, inner = av
            if inside_repeat and maximum == c.MAXREPEAT:
                return True
            if _nested(inner, inside_repeat or maximum > 1):
                return True
        elif any(_nested(branch, inside_repeat) for branch in _branches(op, av)):
            return True
    return False


def _branches(op: Any, av: Any) -> list[Any]:
    """The sub-sequences of one node that is not a repeat."""
    if op is c.SUBPATTERN:
        return [av[3]]
    if op in (c.ASSERT, c.ASSERT_NOT):
        return [av[1]]
    if op is c.BRANCH:
        return list(av[1])
    if op is c.GROUPREF_EXISTS:
        return [branch for branch in av[1:] if branch is not None]
    if op is getattr(c, "ATOMIC_GROUP", None):
        return [av]
    return []


def _parse(pattern: str) -> Any:
    """`pattern` as `re` parses it (inline flags read from the text), or None when `re`
    cannot: regex-only syntax, or too deep for its parser."""
    try:
        with warnings.catch_warnings():  # "possible nested set": a POSIX class, see AMBIGUOUS
            warnings.simplefilter("ignore")
            return _parser.parse(pattern, 0)
    except Exception:
        return None
