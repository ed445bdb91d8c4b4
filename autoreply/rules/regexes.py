"""Operators' regexes: compiled as the rule index runs them, and run within a budget.

The `regex` module reads patterns as `re` does (Unicode `\\w` for Chinese text,
lookarounds, backreferences) but can stop a search. Every message gets REGEX_BUDGET
seconds of CPU (the engine's own clock, so a busy machine does not eat into it) for all
its regexes together: a pattern that backtracks catastrophically on a hostile text costs
a few milliseconds, never a worker. A search cut short, or not run because the budget is
spent, counts as not matching.

The budget is this thread's CPU time. A worker's threads share one process: counting the
process's clock, which runs on while the other threads work, gave up ordinary searches
under load.
"""

import logging
import time
from dataclasses import dataclass
from typing import Any

import regex as regex_engine

logger = logging.getLogger(__name__)

REGEX_BUDGET = 0.005  # seconds of CPU per message for all its regexes


def compile_pattern(pattern: str) -> Any:
    """`pattern` compiled; raises whatever the engine raises (not only its `error`: a huge
    repeat count or deep nesting raise OverflowError, RecursionError)."""
    return regex_engine.compile(pattern)


@dataclass
class Budget:
    """What is left of one message's regex budget, in seconds of this thread's CPU time."""

    left: float = REGEX_BUDGET

    def search(self, compiled: Any, text: str, what: str) -> Any:
        """The match of `compiled` in `text`, or None; None too when the budget runs out
        (logged, naming `what`)."""
        if self.left <= 0:
            return None
        started = time.thread_time()
        try:
            # The engine's own clock is the process's CPU time. Holding the GIL (it lets
            # go by default) keeps the other threads' CPU out of it, but for C code
            # running without the GIL, so a search stops no later than the budget would.
            return compiled.search(text, timeout=self.left, concurrent=False)
        except TimeoutError:
            logger.warning(
                "%s: its regex %.80r gave up on a text of %d characters",
                what,
                compiled.pattern,
                len(text),
            )
            return None
        finally:
            self.left -= time.thread_time() - started
