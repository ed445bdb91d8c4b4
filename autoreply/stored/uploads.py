"""Files uploaded in the admin, kept between their preview and the operator's confirmation."""

import uuid

from django.conf import settings
from django.db import models

from autoreply.stored.accounts import Account


class PendingUpload(models.Model):
    """An uploaded file and what importing it would change, as previewed.

    Confirming applies these stored bytes: the browser sends back only the token, which
    belongs to the user who uploaded, so nothing it resends can replace the file. Kept in
    PostgreSQL rather than the session or a node's disk, so any node can confirm it and
    the session stays small on every other request.
    """

    token = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    options = models.JSONField(default=dict)
    name = models.CharField(max_length=255)
    content = models.BinaryField()
    preview = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.name} for {self.account_id}"
