"""First-run set-up: the demo account and an admin login, for `bin/serve`."""

import secrets
from collections.abc import Iterator

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command

from autoreply.models import Account

PASSWORD_FILE = settings.BASE_DIR / ".local" / "admin-password"


def set_up(base_url: str) -> Iterator[str]:
    """Do what a fresh database needs, and say what there is to see."""
    if not Account.objects.exists():
        call_command("loaddata", "demo", verbosity=0)
        yield "Loaded the demo account (fixtures/demo.json)."
    yield from _admin_login()
    yield f"Admin:          {base_url}/admin/"
    for slug in Account.objects.values_list("slug", flat=True):
        yield f"Webhook:        {base_url}/wechat/{slug}/"
    yield "Try the demo:   .venv/bin/python manage.py wechat_send --account demo help"


def _admin_login() -> Iterator[str]:
    users = get_user_model().objects
    if not users.filter(is_superuser=True).exists():
        password = secrets.token_urlsafe(12)
        users.create_superuser("admin", email="", password=password)
        PASSWORD_FILE.parent.mkdir(parents=True, exist_ok=True)
        PASSWORD_FILE.write_text(password + "\n")
        PASSWORD_FILE.chmod(0o600)
        yield "Created the admin login."
    if PASSWORD_FILE.exists():
        password = PASSWORD_FILE.read_text().strip()
        yield f"Admin login:    admin / {password}   (as first created; yours if you changed it)"
    else:
        yield "Admin login:    the superuser you created (manage.py changepassword to reset)."
