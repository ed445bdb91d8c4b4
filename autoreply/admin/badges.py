"""Keywords in the rule list as the platform shows them: each with its mode's badge
(全匹配 / 半匹配 / 正则)."""

from collections.abc import Iterable

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import Truncator

from autoreply.models import Keyword
from autoreply.rules.trial import MODE_WORDS

SHOWN = 4  # keywords listed in full; the rest are counted
PATTERN_CHARS = 30


def keyword_badges(keywords: Iterable[Keyword]) -> SafeString | str:
    """The keywords, each after its mode's badge; "—" for none."""
    keywords = list(keywords)
    if not keywords:
        return "—"
    shown = format_html_join(
        " ",
        '<span class="keyword"><span class="keyword-badge keyword-{}">{}</span> {}</span>',
        (
            (k.mode, MODE_WORDS.get(k.mode, k.mode), Truncator(k.pattern).chars(PATTERN_CHARS))
            for k in keywords[:SHOWN]
        ),
    )
    more = len(keywords) - SHOWN
    return format_html("{} (+{})", shown, more) if more > 0 else shown
