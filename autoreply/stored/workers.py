"""The background worker's heartbeat."""

from django.db import models


class WorkerHeartbeat(models.Model):
    """When each background worker (hostname:pid) last said it was alive."""

    worker = models.CharField(max_length=128, unique=True)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.worker} at {self.seen_at}"
