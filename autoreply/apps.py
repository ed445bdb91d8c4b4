from django.apps import AppConfig


class AutoreplyConfig(AppConfig):
    name = "autoreply"
    verbose_name = "Auto-reply"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from autoreply import checks  # noqa: F401  (registers the system checks)
