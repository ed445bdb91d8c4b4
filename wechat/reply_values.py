"""The reply values: one frozen dataclass per passive reply type, plain text inside.

Which XML each becomes, its rules-file name and which values are required are declared
beside the classes' kinds in `wechat.replies` (REPLY_KINDS), the one table of reply types.
"""

from dataclasses import dataclass
from typing import TypeAlias


@dataclass(frozen=True, slots=True)
class TextReply:
    content: str


@dataclass(frozen=True, slots=True)
class ImageReply:
    media_id: str


@dataclass(frozen=True, slots=True)
class VoiceReply:
    media_id: str


@dataclass(frozen=True, slots=True)
class VideoReply:
    media_id: str
    title: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class MusicReply:
    thumb_media_id: str
    title: str = ""
    description: str = ""
    music_url: str = ""
    hq_music_url: str = ""


@dataclass(frozen=True, slots=True)
class Article:
    title: str
    description: str = ""
    pic_url: str = ""
    url: str = ""


@dataclass(frozen=True, slots=True)
class NewsReply:
    articles: tuple[Article, ...]


@dataclass(frozen=True, slots=True)
class TransferCustomerServiceReply:
    """Hands the conversation to customer service, to one agent when `kf_account` is set."""

    kf_account: str = ""


Reply: TypeAlias = (
    TextReply
    | ImageReply
    | VoiceReply
    | VideoReply
    | MusicReply
    | NewsReply
    | TransferCustomerServiceReply
)
