"""WSGI entry point: `gunicorn config.wsgi:application`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django_application = get_wsgi_application()  # sets Django up: import the app after this

from autoreply import lent_connections  # noqa: E402
from autoreply.webhook.lane import with_webhook_lane  # noqa: E402

application = lent_connections.around(with_webhook_lane(django_application))
