"""The one escaping writer for every XML document `wechat` sends or simulates.

WeChat's documents are flat `<xml>` trees of CDATA text, numbers and a few nested
groups, so a small hand-written writer is both faster than building an lxml tree and
easy to check: every string not plainly safe goes through `_cdata`, every tag through
`_check_tag`.
"""

import math
import re
from collections.abc import Mapping

from wechat.errors import ReplyError

# XML 1.0 cannot carry C0 controls other than tab/LF/CR, U+FFFE/U+FFFF or surrogates
# (a str can hold lone ones); an element holding them makes the whole document invalid.
_FORBIDDEN = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TAG = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
_MAX_DEPTH = 8
_checked_tags: set[object] = set()


def clean_text(text: str) -> str:
    """Return `text` without the characters XML 1.0 forbids (what a reader gets back)."""
    return _FORBIDDEN.sub("", text)


def write_xml(fields: Mapping[str, object]) -> bytes:
    """Render `fields` as WeChat's `<xml>` document, UTF-8, without declaration.

    str values become CDATA, int/float plain text, Mappings nested elements, lists or
    tuples repeated `<item>` elements; a None value leaves its element out.
    """
    parts = [b"<xml>"]
    _write(parts, fields, 1)
    parts.append(b"</xml>")
    return b"".join(parts)


def _write(parts: list[bytes], fields: Mapping[str, object], depth: int) -> None:
    # Each element is encoded on its own: joining bytes is cheaper than widening the
    # whole document to the widest character (Chinese, say) before encoding it.
    if depth > _MAX_DEPTH:
        raise ReplyError(f"XML nested deeper than {_MAX_DEPTH} levels; WeChat never needs that")
    for tag, value in fields.items():
        if tag not in _checked_tags:
            _check_tag(tag)
        if isinstance(value, str):
            # Printable text holds no forbidden character and no CR: the common case.
            if not value.isprintable() or "]]>" in value:
                value = _cdata(value)
            parts.append(f"<{tag}><![CDATA[{value}]]></{tag}>".encode())
        elif value.__class__ is int:  # CreateTime and friends; exactly int, so never a bool
            parts.append(f"<{tag}>{value}</{tag}>".encode())
        elif value is not None:
            _write_other(parts, tag, value, depth)


def _write_other(parts: list[bytes], tag: str, value: object, depth: int) -> None:
    if isinstance(value, Mapping):
        parts.append(f"<{tag}>".encode())
        _write(parts, value, depth + 1)
        parts.append(f"</{tag}>".encode())
    elif isinstance(value, (list, tuple)):
        parts.append(f"<{tag}>".encode())
        for item in value:
            _write(parts, {"item": item}, depth + 1)
        parts.append(f"</{tag}>".encode())
    elif isinstance(value, float) and math.isfinite(value):
        parts.append(f"<{tag}>{value!r}</{tag}>".encode())
    elif isinstance(value, int) and not isinstance(value, bool):  # an IntEnum, say
        parts.append(f"<{tag}>{int(value)}</{tag}>".encode())
    else:
        # bool is an int subclass; "True" in a numeric field is always a caller's mistake.
        kind = type(value).__name__
        raise ReplyError(f"<{tag}> cannot hold {kind} {value!r}; use str, int or a finite float")


def _cdata(text: str) -> str:
    text = _FORBIDDEN.sub("", text)
    # "]]>" would end the section early, so end it between "]]" and ">" and reopen.
    # A CR inside CDATA reaches the reader as LF (line-end normalisation), so it
    # leaves the section as a character reference, the only form that keeps it.
    # The order matters: filtering first cannot create a "]]>" after the split.
    return text.replace("]]>", "]]]]><![CDATA[>").replace("\r", "]]>&#13;<![CDATA[")


def _check_tag(tag: object) -> None:
    if not (isinstance(tag, str) and _TAG.fullmatch(tag)):
        raise ReplyError(f"{tag!r} is not a plain XML element name")
    # Tags come from a few fixed layouts, so remember the good ones (bounded all the same).
    if len(_checked_tags) < 1024:
        _checked_tags.add(tag)
