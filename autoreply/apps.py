from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AutoreplyConfig(AppConfig):
    name = "autoreply"
    verbose_name = _("Auto-reply")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from autoreply import checks  # noqa: F401  (registers the system checks)
