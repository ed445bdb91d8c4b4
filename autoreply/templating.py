"""Reply fields as Django templates: compiled once per rule version, autoescaping off.

Templates see only the message being answered (`content`, `openid`, `media_id`, `msg`,
`match`) and our `lookup` filter; tags that could reach outside it are refused. Django
calls any zero-argument callable a template names (`{{ msg.clear }}`), so `msg` and
`match` are read-only views (mappings without mutators, tuples for lists): a template
can read the message, never change what is stored.
"""

import functools
import re
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from django.template import Context, Engine, Template, TemplateSyntaxError
from django.template.defaulttags import DebugNode, LoadNode
from django.utils.translation import gettext as _

from autoreply.template_filters import current_lookups


class ReplyEngine(Engine):
    """Django's engine without loader tags (include, extends, block): a reply cannot read
    files or other templates."""

    default_builtins = ["django.template.defaulttags", "django.template.defaultfilters"]


ENGINE = ReplyEngine(autoescape=False, builtins=["autoreply.template_filters"])
FORBIDDEN_NODES = {LoadNode: "load", DebugNode: "debug"}
TEMPLATE_MARKERS = ("{{", "{%", "{#")
TEMPLATE_OPENER = re.compile(r"\{(?=[{%#])")

Renderer = Callable[[Context], str]
Compiled = str | Renderer  # a field's plain text as it is, or its template compiled


class TemplateError(ValueError):
    """A reply field that is not an acceptable template; the message says why."""


def literal(text: str) -> str:
    """`text` as a template that renders exactly `text`: answers imported from elsewhere
    (a FAQ sheet, the platform) are not templates, so `{{`, `{%`, `{#` must stay as typed."""
    return TEMPLATE_OPENER.sub("{% templatetag openbrace %}", text)


def compile_template(source: str) -> Compiled:
    """`source` ready to render (see `render`): plain text skips the engine, and is kept
    as the text itself (ten thousand rules' closures cost a worker 2 MB)."""
    if not any(marker in source for marker in TEMPLATE_MARKERS):
        return source
    return _compiled(source)


def render(compiled: Compiled, context: Context) -> str:
    return compiled if isinstance(compiled, str) else compiled(context)


# Rules often share a reply's text ("No. {{ match.1 }} received"): one compiled template
# each, not one per rule, as rendering keeps no state in it. Bounded, so that texts
# edited away are dropped in time.
@functools.lru_cache(maxsize=4096)
def _compiled(source: str) -> Renderer:
    try:
        template = Template(source, engine=ENGINE)
    except TemplateSyntaxError as exc:
        raise TemplateError(_("template error: %(error)s") % {"error": exc}) from None
    for node_type, tag in FORBIDDEN_NODES.items():
        if template.nodelist.get_nodes_by_type(node_type):
            message = _("the {%% %(tag)s %%} tag is not allowed in a reply")
            raise TemplateError(message % {"tag": tag})
    return template.render


def message_context(
    message: Any,
    match: Mapping[str, str],
    lookups: Mapping[str, Mapping[str, str]],
    conversation: str = "",
) -> Context:
    """The context every field of one reply renders against; `conversation` is the
    follower's when the push arrived, `{{ context }}`."""
    current_lookups.set(lookups)
    return Context(
        {
            "content": message.text,
            "openid": message.from_user,
            "media_id": message.media_id,
            "msg": read_only(message.fields),
            "match": MappingProxyType(match),
            "context": conversation,
        },
        autoescape=False,
    )


def read_only(value: Any) -> Any:
    """`value` with every dict (at any depth) a read-only view and every list a tuple."""
    if isinstance(value, dict):
        return MappingProxyType({key: read_only(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(read_only(item) for item in value)
    return value
