"""The one safe XML reader for everything WeChat (or someone pretending to be it) sends.

WeChat's pushes are small flat `<xml>` documents in UTF-8 with no DTD, entities or
namespaces, so any of those marks a hostile body and is refused, not interpreted.
"""

import re
import threading

from lxml import etree

from wechat.errors import HostileXmlError, NotWeChatMessageError, ParseXmlError

MAX_DEPTH = 8
"""Deepest element nesting accepted, counting `<xml>` as 1 (WeChat's deepest push uses 5)."""

# Encodings in which "<!DOCTYPE" can only be written as those ASCII bytes, so the byte
# scan in _check_prolog cannot be dodged (unlike UTF-16, UTF-7 or EBCDIC).
ENCODINGS = frozenset({"utf-8", "us-ascii", "iso-8859-1", "gbk", "gb2312", "gb18030"})
_DECLARED_ENCODING = re.compile(rb"<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_BOM = b"\xef\xbb\xbf"
# C0 controls XML 1.0 forbids (all but tab, LF, CR). WeChat passes them through from
# what followers type, unescaped, so they are removed rather than refused. No accepted
# encoding uses these bytes inside a multi-byte character, so removing bytes is exact.
# NUL stays: it marks UTF-16 or binary, which are refused below.
C0_CONTROLS = bytes(c for c in range(1, 32) if c not in (0x09, 0x0A, 0x0D))
# Errors libxml2 raises when a body tries to exhaust it (depth, entity loops/amplification).
_RESOURCE_ERRORS = frozenset(
    {etree.ErrorTypes.ERR_RESOURCE_LIMIT, etree.ErrorTypes.ERR_ENTITY_LOOP}
)
_local = threading.local()


def read_xml(body: bytes, *, max_bytes: int) -> etree._Element:
    """Parse `body` into its `<xml>` root, refusing oversize, DTD-bearing or non-WeChat bodies.

    The elements below the root are checked by the one walk over them, in
    `wechat.document`, with `plain_tag` and MAX_DEPTH, so the tree is traversed once.
    """
    if not isinstance(body, bytes):
        raise ParseXmlError(f"expected the raw body as bytes, got {type(body).__name__}")
    if len(body) > max_bytes:
        raise HostileXmlError(f"body of {len(body)} bytes exceeds the {max_bytes}-byte limit")
    body = body.translate(None, C0_CONTROLS)
    # A DOCTYPE or an encoding declaration can only stand before the root element, so a
    # body that opens with `<xml>`, as WeChat's do, has neither; others are checked first.
    if not body.startswith(b"<xml>"):
        _check_prolog(body)
    try:
        parser = _local.parser
    except AttributeError:
        parser = _new_parser()
    try:
        # The feed interface skips fromstring's GIL release and retake, a third of the
        # cost of parsing a small push; close() always leaves the parser ready again.
        parser.feed(body)
        root = parser.close()
    except etree.XMLSyntaxError as error:
        raise _syntax_error(error) from None
    if root.tag != "xml":
        raise NotWeChatMessageError(f"root element is <{plain_tag(root)}>, not <xml>")
    return root


def _check_prolog(body: bytes) -> None:
    # libxml2 reads external DTDs and parameter entities from local files even with
    # loading and network access off, so a DTD must be refused before it parses.
    start = body[len(_BOM) :] if body.startswith(_BOM) else body
    if not start.strip():
        raise ParseXmlError("the body is empty")
    if not start.lstrip().startswith(b"<") or b"\x00" in start[:4]:
        raise ParseXmlError("the body is not XML, or not in UTF-8 or another ASCII-based encoding")
    declared = _DECLARED_ENCODING.match(start.lstrip())
    if declared and declared.group(1).decode("ascii", "replace").lower() not in ENCODINGS:
        name = declared.group(1).decode("ascii", "replace")
        raise ParseXmlError(f"encoding {name!r} is not accepted; WeChat sends UTF-8")
    upper = body.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise HostileXmlError("the body declares a DOCTYPE or entity; WeChat never sends one")


def _new_parser() -> etree.XMLParser:
    # An lxml parser must not be shared between threads, and building one costs more
    # than parsing a push, so each thread builds its own once.
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
        collect_ids=False,
    )
    _local.parser = parser
    return parser


def _syntax_error(error: etree.XMLSyntaxError) -> ParseXmlError:
    # The feed interface can raise a vague "no element found" after ignoring the error
    # that mattered (an undefined entity); the last one libxml2 logged says what it was.
    last = error.error_log.last_error
    detail = last.message if last is not None else error.msg
    if error.code in _RESOURCE_ERRORS or (last is not None and last.type in _RESOURCE_ERRORS):
        return HostileXmlError(f"the body tries to exhaust the XML parser: {detail}")
    return ParseXmlError(f"the body is not well-formed XML: {detail}")


def too_deep(depth: int) -> HostileXmlError:
    """The error for elements nested deeper than MAX_DEPTH."""
    return HostileXmlError(f"elements are nested {depth} levels deep; the limit is {MAX_DEPTH}")


def plain_tag(element: etree._Element) -> str:
    """The element's tag, if it is a plain name: not namespaced, not a special node."""
    tag = element.tag
    # Namespaced tags cover XInclude, the one way lxml could be asked to fetch files.
    if tag.__class__ is not str or tag[0] == "{":
        raise not_plain(tag)
    return str(tag)


def not_plain(tag: object) -> HostileXmlError:
    """The error for an element `plain_tag` refuses."""
    if isinstance(tag, str):
        return HostileXmlError(f"element {tag} is namespaced; WeChat never uses namespaces")
    return HostileXmlError(f"unexpected {tag!r} node; WeChat sends only elements and text")
