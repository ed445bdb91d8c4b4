"""The try-a-message page's phone: each reply as the follower would see it. Text as a chat
bubble, a picture from the media library, a news card; a note for what this page cannot
play (voice, video, music) and for a transfer to customer service.

Built from the reply objects themselves (wechat.reply_values), so what is shown is what
the XML says. Everything is text for the template, which escapes it.
"""

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from autoreply.choices import MediaType
from autoreply.models import Media
from wechat import replies

PICTURES = (MediaType.IMAGE, MediaType.THUMB)


@dataclass(frozen=True)
class Card:
    """One article of a news reply."""

    title: str
    description: str
    picture: str  # a URL the browser may load, or ''
    url: str  # a link the browser may follow, or ''


@dataclass(frozen=True)
class Bubble:
    """One thing the phone shows from the account; `kind` picks how it is drawn."""

    kind: str  # "text", "picture", "news" or "note"
    text: str = ""
    picture: str = ""
    cards: tuple[Card, ...] = ()
    follow_up: bool = False  # sent after the answer, as a customer-service message


Library = Mapping[str, str]  # media id -> the admin's URL of our copy of the picture


def bubbles(
    account_id: int, answer: replies.Reply | None, follow_ups: Sequence[Any]
) -> list[Bubble]:
    """The answer's bubble, then reply all's follow-ups', in the order the phone gets them."""
    sent = ([answer] if answer is not None else []) + list(follow_ups)
    library = _library(account_id, sent)
    shown = [DRAWN[type(reply)](reply, library) for reply in sent]
    return [
        Bubble(b.kind, b.text, b.picture, b.cards, follow_up=n > 0) for n, b in enumerate(shown)
    ]


def _library(account_id: int, sent: Iterable[Any]) -> Library:
    wanted = {getattr(reply, name, "") for reply in sent for name in ("media_id", "thumb_media_id")}
    found = Media.objects.filter(account_id=account_id, media_id__in=wanted - {""})
    return {
        item.media_id: reverse("admin:autoreply_media_file", args=[item.pk])
        for item in found.filter(type__in=PICTURES)
    }


def _text(reply: replies.TextReply, library: Library) -> Bubble:
    return Bubble("text", reply.content)


def _image(reply: replies.ImageReply, library: Library) -> Bubble:
    if reply.media_id in library:
        return Bubble("picture", picture=library[reply.media_id])
    message = _(
        "A picture (media ID %(id)s) that is not in the media library: the follower sees it, "
        "this page cannot show it."
    )
    return Bubble("note", message % {"id": reply.media_id})


def _voice(reply: replies.VoiceReply, library: Library) -> Bubble:
    return Bubble("note", _("🔊 A voice message (media ID %(id)s).") % {"id": reply.media_id})


def _video(reply: replies.VideoReply, library: Library) -> Bubble:
    message = _("▶ A video “%(title)s” (media ID %(id)s). %(description)s")
    values = {"title": reply.title, "id": reply.media_id, "description": reply.description}
    return Bubble("note", (message % values).strip())


def _music(reply: replies.MusicReply, library: Library) -> Bubble:
    message = _("♪ Music “%(title)s”. %(description)s")
    text = (message % {"title": reply.title, "description": reply.description}).strip()
    return Bubble("note", text, picture=library.get(reply.thumb_media_id, ""))


def _news(reply: replies.NewsReply, library: Library) -> Bubble:
    cards = tuple(
        Card(a.title, a.description, _web(a.pic_url), _web(a.url)) for a in reply.articles
    )
    return Bubble("news", cards=cards)


def _transfer(reply: replies.TransferCustomerServiceReply, library: Library) -> Bubble:
    if reply.kf_account:
        message = _(
            "The conversation goes to customer service agent %(agent)s: the account sends "
            "nothing itself, the agent answers (多客服)."
        )
        return Bubble("note", message % {"agent": reply.kf_account})
    message = _(
        "The conversation goes to customer service, to any agent: the account sends nothing "
        "itself, an agent answers (多客服)."
    )
    return Bubble("note", message)


def _web(url: str) -> str:
    """Only http(s) addresses are shown or linked (not javascript: and the like)."""
    return url if url.lower().startswith(("http://", "https://")) else ""


DRAWN: dict[type, Callable[[Any, Library], Bubble]] = {
    replies.TextReply: _text,
    replies.ImageReply: _image,
    replies.VoiceReply: _voice,
    replies.VideoReply: _video,
    replies.MusicReply: _music,
    replies.NewsReply: _news,
    replies.TransferCustomerServiceReply: _transfer,
}
