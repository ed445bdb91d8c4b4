from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AutoreplyConfig(AppConfig):
    name = "autoreply"
    verbose_name = _("Auto-reply")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from autoreply import checks  # noqa: F401  (registers the system checks)

        post_migrate.connect(age_messages, sender=self)


def age_messages(using: str, **kwargs: Any) -> None:
    """`migrate` leaves the message table's partitions current, as the worker's task does."""
    from autoreply import retention

    retention.age(using=using)
