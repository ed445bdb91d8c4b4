"""Uploads waiting for the operator's confirmation: kept server-side, for one user, briefly.

The preview page's confirm button sends back only the upload's token; the bytes applied
are the ones stored at upload time, so a browser cannot swap in another file between
the preview and the confirmation.
"""

from datetime import timedelta
from typing import Any
from uuid import UUID

from django.db import transaction
from django.utils import timezone

from autoreply.files import uploads
from autoreply.files.sources import Upload
from autoreply.files.uploads import Outcome
from autoreply.models import Account, PendingUpload

MAX_BYTES = 10 * 1024 * 1024  # a 100,000-key lookup table is about 3 MB of CSV
EXPIRES = timedelta(hours=1)


def keep(
    user: Any, account: Account, kind: str, upload: Upload, options: dict[str, Any]
) -> tuple[PendingUpload, Outcome]:
    """Preview the upload and keep it for confirmation; raises ImportRefused, keeping
    nothing, when the import would be refused."""
    outcome = uploads.preview(uploads.KINDS[kind], account, upload, options)
    PendingUpload.objects.filter(created_at__lt=timezone.now() - EXPIRES).delete()
    pending = PendingUpload.objects.create(
        user=user,
        account=account,
        kind=kind,
        options=options,
        name=upload.name[:255],
        content=upload.data,
        preview=outcome.as_json(),
    )
    return pending, outcome


def find(user: Any, token: UUID) -> PendingUpload | None:
    """The user's upload with this token, unless it has expired (or is someone else's)."""
    fresh = timezone.now() - EXPIRES
    return PendingUpload.objects.filter(token=token, user=user, created_at__gte=fresh).first()


def outcome(pending: PendingUpload) -> Outcome:
    """What the upload changes, as its preview found."""
    return Outcome.from_json(pending.preview)


@transaction.atomic
def confirm(pending: PendingUpload) -> tuple[Outcome, bool]:
    """Apply the upload if it still changes what was previewed, and forget it; else keep
    it with the new preview. Says which, with the outcome."""
    upload = Upload(pending.name, bytes(pending.content))
    kind = uploads.KINDS[pending.kind]
    result, applied = uploads.apply(kind, pending.account, upload, pending.options, pending.preview)
    if applied:
        pending.delete()
    else:
        pending.preview = result.as_json()
        pending.save(update_fields=["preview"])
    return result, applied
