"""The peer's message log: one row per push, as received."""

from django.db import models


class PeerMessage(models.Model):
    msg_id = models.DecimalField(max_digits=20, decimal_places=0, null=True, db_index=True)
    from_user = models.CharField(max_length=64)
    to_user = models.CharField(max_length=64)
    msg_type = models.CharField(max_length=32)
    content = models.TextField(blank=True)
    create_time = models.DateTimeField()
    raw_xml = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.msg_type} {self.msg_id} from {self.from_user}"


class PeerLeanMessage(models.Model):
    """The lean peer's log: written with one raw INSERT ... ON CONFLICT DO NOTHING, so a
    retry is dropped by the database as ours does."""

    msg_id = models.DecimalField(max_digits=20, decimal_places=0)
    from_user = models.CharField(max_length=64)
    to_user = models.CharField(max_length=64)
    msg_type = models.CharField(max_length=32)
    content = models.TextField(blank=True)
    create_time = models.DateTimeField()
    raw_xml = models.TextField()
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["from_user", "msg_id"], name="peer_lean_dedup")
        ]

    def __str__(self) -> str:
        return f"{self.msg_type} {self.msg_id} from {self.from_user}"
