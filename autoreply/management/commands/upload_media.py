"""`manage.py upload_media --account SLUG FILE [--type ...] [--title T --introduction I]`."""

from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from autoreply.choices import MediaType
from autoreply.models import Account
from autoreply.outbound import media, tokens
from wechat.errors import ApiError


class Command(BaseCommand):
    help = "Upload a file as permanent material, add it to the media library, print its media_id."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--account", required=True, metavar="SLUG")
        parser.add_argument("file", type=Path)
        parser.add_argument("--type", choices=MediaType.values, help="default: by extension")
        parser.add_argument("--title", default="", help="required for a video")
        parser.add_argument("--introduction", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        account = Account.objects.filter(slug=options["account"]).first()
        if account is None:
            raise CommandError(f"no account with slug {options['account']}")
        path: Path = options["file"]
        try:
            kind = options["type"] or media.guess_type(path.name)
            uploaded = media.upload(
                account,
                kind,
                path.name,
                path.read_bytes(),
                title=options["title"],
                introduction=options["introduction"],
            )
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        except (ApiError, tokens.NoAppSecret) as exc:
            raise CommandError(f"WeChat refused the upload: {exc}") from None
        self.stdout.write(uploaded.media_id)
