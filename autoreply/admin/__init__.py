"""The operators' admin, one module per area; importing them registers them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from procrastinate.contrib.django.models import ProcrastinateJob

from autoreply.admin import (  # noqa: F401  (importing registers them)
    accounts,
    log,
    lookups,
    media,
    outbound,
    places,
    rules,
    versions,
)

admin.site.site_header = _("autoreply")
admin.site.site_title = _("autoreply")
admin.site.index_title = _("WeChat auto-reply")
# autoreply has no public site to view: the admin's "View site" link would lead to a 404.
admin.site.site_url = None
places.show_in_app_list(admin.site)

# Django 5.2's own zh_Hans lacks these headings of the admin's app list (read out by
# screen readers); marked here so that our catalogue translates them.
DJANGO_GAPS = (
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
)

# procrastinate's own job pages are English-only and for engineers: operators see every
# customer-service send, with its outcome, in the message log instead.
if admin.site.is_registered(ProcrastinateJob):
    admin.site.unregister(ProcrastinateJob)
