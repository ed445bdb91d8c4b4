"""The one walk from a parsed `<xml>` document to plain Python values, by the tag table.

Every element is checked on the way (plain name, depth), so the tree is traversed
once; known tags read as the table says, unknown ones as text or nested dicts.
"""

from typing import Any

from lxml import etree

from wechat.errors import NotWeChatMessageError
from wechat.fields import FIELDS, LEAVES, text
from wechat.xmlreader import MAX_DEPTH, plain_tag, read_xml, too_deep


def read_document(body: bytes, *, max_bytes: int) -> dict[str, Any]:
    """Parse `body` safely and return every child of its `<xml>` root, converted.

    The values' types are the table's: str for text tags, int or float for numbers,
    dicts and lists for groups, str or dicts for unknown tags.
    """
    return read_fields(read_xml(body, max_bytes=max_bytes), 1)


def read_fields(parent: etree._Element, depth: int) -> dict[str, object]:
    """Every child of `parent` by tag, converted by the table (unknown tags by `generic`)."""
    depth += 1
    if depth > MAX_DEPTH:
        raise too_deep(depth)
    values: dict[str, object] = {}
    for child in parent:
        # `_value`, inlined: this loop is the parser's hot path. A tag found in LEAVES
        # is a plain name by construction; any other goes through `_element`'s checks.
        tag = child.tag
        parse = LEAVES.get(tag)
        if parse is None or len(child):
            value = _element(child, tag, depth)
        else:
            value = child.text or ""
            if parse is not text:
                value = parse(tag, value)
        values[tag] = value
    if len(values) != len(parent):
        return _with_repeats(parent, depth)
    return values


def _value(child: etree._Element, tag: str, depth: int) -> object:
    parse = LEAVES.get(tag)
    if parse is None or len(child):
        return _element(child, tag, depth)
    return parse(tag, child.text or "")


def _element(child: etree._Element, tag: str, depth: int) -> object:
    # Anything but a known leaf: a group, a list, an unknown element, or a hostile one.
    plain_tag(child)
    field = FIELDS.get(tag)
    if field is not None and field.nest == "group":
        return read_fields(child, depth)
    if field is not None and field.nest == "list":
        return _items(child, depth)
    value = generic(child, depth)  # checks every descendant, so hostile ones say so
    if field is not None:
        raise NotWeChatMessageError(f"<{tag}> should hold text but holds elements")
    return value


def _items(element: etree._Element, depth: int) -> list[dict[str, object]]:
    # A list such as PicList: one dict per `<item>` child, read with the same table.
    depth += 1
    if depth > MAX_DEPTH:
        raise too_deep(depth)
    values = []
    for item in element:
        plain_tag(item)
        values.append(read_fields(item, depth))
    return values


def _with_repeats(parent: etree._Element, depth: int) -> dict[str, object]:
    # Rare: a tag repeated among siblings. A known tag has one meaning, so twice is
    # ambiguous; an unknown one becomes a list, so nothing WeChat sends is dropped.
    values: dict[str, object] = {}
    for child in parent:
        tag = child.tag
        value = _value(child, tag, depth)
        if tag in values:
            if tag in FIELDS:
                raise NotWeChatMessageError(f"<{tag}> appears twice in <{parent.tag}>")
            value = _append(values[tag], value)
        values[tag] = value
    return values


def generic(element: etree._Element, depth: int) -> object:
    """An element the table does not know: its text, or a dict of its children.

    A tag repeated among siblings becomes a list, so nothing WeChat sends is dropped.
    """
    if not len(element):
        return element.text or ""
    depth += 1
    if depth > MAX_DEPTH:
        raise too_deep(depth)
    values: dict[str, object] = {}
    for child in element:
        tag = plain_tag(child)
        value = generic(child, depth)
        values[tag] = _append(values[tag], value) if tag in values else value
    return values


def _append(previous: object, value: object) -> list[object]:
    return [*previous, value] if isinstance(previous, list) else [previous, value]
