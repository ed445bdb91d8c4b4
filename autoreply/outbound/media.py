"""The media library: permanent material uploaded to WeChat, with our own copy of each file.

Files are checked against WeChat's limits before anything is uploaded, so an operator hears
what is wrong in their words rather than WeChat's errcode. (Voice length, ≤ 60 s, is left
to WeChat: measuring it needs a decoder per format.)
https://developers.weixin.qq.com/doc/offiaccount/Asset_Management/Adding_Permanent_Assets.html
"""

import logging
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext_lazy as _

from autoreply.choices import MediaType
from autoreply.models import Account, Media
from autoreply.outbound import tokens
from autoreply.outbound.client import client
from wechat import api

logger = logging.getLogger(__name__)
MB = 1024 * 1024


@dataclass(frozen=True)
class Limit:
    max_bytes: int
    extensions: tuple[str, ...]


LIMITS = {
    MediaType.IMAGE: Limit(10 * MB, ("bmp", "png", "jpeg", "jpg", "gif")),
    MediaType.VOICE: Limit(2 * MB, ("amr", "mp3", "wma", "wav")),
    MediaType.VIDEO: Limit(10 * MB, ("mp4",)),
    MediaType.THUMB: Limit(64 * 1024, ("jpg", "jpeg")),
}


def guess_type(filename: str) -> str:
    """The material type a file's extension suggests (images and mp4 videos; else voice)."""
    extension = PurePath(filename).suffix.lower().lstrip(".")
    for kind in (MediaType.IMAGE, MediaType.VIDEO, MediaType.VOICE):
        if extension in LIMITS[kind].extensions:
            return kind
    raise ValidationError(
        _(
            "Cannot tell the type of %(name)s from its extension: choose image, voice, video "
            "or thumb."
        ),
        code="media_type_unknown",
        params={"name": filename},
    )


def check(kind: str, filename: str, size: int) -> None:
    """Refuse what WeChat would refuse: the wrong format or too large a file."""
    limit = LIMITS.get(MediaType(kind)) if kind in MediaType.values else None
    if limit is None:
        raise ValidationError(
            _("Unknown material type %(kind)r."), code="media_type", params={"kind": kind}
        )
    extension = PurePath(filename).suffix.lower().lstrip(".")
    if extension not in limit.extensions:
        raise ValidationError(
            _("A %(kind)s must be one of %(allowed)s, not %(name)s."),
            code="media_format",
            params={"kind": kind, "allowed": ", ".join(limit.extensions), "name": filename},
        )
    if size > limit.max_bytes:
        raise ValidationError(
            _("A %(kind)s may be at most %(limit)s KB; %(name)s is %(size)s KB."),
            code="media_too_large",
            params={
                "kind": kind,
                "limit": limit.max_bytes // 1024,
                "name": filename,
                "size": -(-size // 1024),
            },
        )


def send(
    account: Account, kind: str, filename: str, data: bytes, title: str = "", introduction: str = ""
) -> api.Material:
    """Check the file, then upload it to WeChat as permanent material."""
    check(kind, filename, len(data))
    if kind == MediaType.VIDEO and not title:
        raise ValidationError(_("A video needs a title."), code="video_title")
    return tokens.call(
        account,
        lambda token: client().add_material(
            token, kind, filename, data, title=title, introduction=introduction
        ),
    )


def upload(
    account: Account, kind: str, filename: str, data: bytes, title: str = "", introduction: str = ""
) -> Media:
    """`send`, then keep a copy of the file and a row in the library; returns the row."""
    material = send(account, kind, filename, data, title, introduction)
    media = Media(account=account, type=kind, title=title, introduction=introduction)
    media.media_id, media.url = material.media_id, material.url
    media.file.save(PurePath(filename).name, ContentFile(data), save=False)
    media.save()
    logger.info("account %s: uploaded %s %s as %s", account.slug, kind, filename, media.media_id)
    return media
