"""Which text a regex cannot match without: the prefilter that spares running it.

A regex is only tried on a message containing its required literal. The literal is
read off the parsed pattern, taking only text every match must contain: literal runs
in the top-level sequence, in groups, and in repeats of at least one; never inside
alternations, optional parts, lookarounds or case-insensitive parts.
"""

import re
from re import _constants as c  # type: ignore[attr-defined]
from re import _parser  # type: ignore[attr-defined]
from typing import Any

REPEATS = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}


def required_literal(regex: re.Pattern[str]) -> str | None:
    """The longest text every match of `regex` contains, or None when there is none."""
    if regex.flags & re.IGNORECASE:
        return None
    runs: list[str] = []
    _collect(_parser.parse(regex.pattern, regex.flags), runs)
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
