"""Conversations: a follower's context, which a rule sets, requires or ends.

A rule's `sets_context` `{"name", "seconds"}` puts the follower in a context when it
answers; `requires_context` makes a rule answer only a follower in that context;
`clears_context` ends it. Everything is judged by the push's CreateTime, as time windows
are, so a retry (same CreateTime) is judged as its first delivery was.

Pure: the follower's state is read and written by the webhook (webhook/recording.py),
in the same statement that stores the push.
"""

from dataclasses import dataclass
from typing import Any

ENTRY_KEYS = ("name", "seconds")
NAME_LENGTH = 64  # Rule.requires_context and Follower.context are this long


class ConversationError(ValueError):
    """A stored `sets_context` that is not `{"name": text, "seconds": number}`; `code`
    says what is wrong (validation words it for operators)."""

    def __init__(self, code: str, key: str = "") -> None:
        super().__init__(f"sets_context: {code} {key}".strip())
        self.code, self.key = code, key


@dataclass(frozen=True, slots=True)
class ContextChange:
    """What answering with a rule does to the follower's context: `name` for `seconds`,
    or, with no name, ends it."""

    name: str = ""
    seconds: int = 0

    def until(self, create_time: int) -> int | None:
        """When the context ends (epoch seconds): None when this change ends it."""
        return create_time + self.seconds if self.name else None


ENDS = ContextChange()


@dataclass(frozen=True)
class FollowerContext:
    """The follower's context as stored: its name and until when (epoch seconds)."""

    name: str = ""
    until: float | None = None

    def at(self, create_time: int) -> str:
        """The context a push sent at `create_time` arrives in: '' for none or expired."""
        if self.name and self.until is not None and create_time < self.until:
            return self.name
        return ""


NONE = FollowerContext()


def change_of(sets_context: Any, clears_context: bool) -> ContextChange | None:
    """A rule's columns as the change it makes when it answers (None: leaves it).
    Raises ConversationError for a `sets_context` that validation would refuse."""
    if sets_context is not None:
        name, seconds = parse(sets_context)
        if not name or not isinstance(name, str):
            raise ConversationError("no_name", "name")
        if not isinstance(seconds, int) or isinstance(seconds, bool) or seconds <= 0:
            raise ConversationError("no_lifetime", "seconds")
        return ContextChange(name, seconds)
    return ENDS if clears_context else None


def parse(value: Any) -> tuple[Any, Any]:
    """A `sets_context` object's name and seconds, None where missing; raises
    ConversationError when it is not such an object."""
    if not isinstance(value, dict):
        raise ConversationError("not_an_object")
    unknown = sorted(value.keys() - set(ENTRY_KEYS))
    if unknown:
        raise ConversationError("unknown_key", unknown[0])
    return value.get("name"), value.get("seconds")
