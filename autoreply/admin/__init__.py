"""The operators' admin, one module per area; importing them registers them."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from autoreply.admin import (  # noqa: F401  (importing registers them)
    accounts,
    log,
    lookups,
    rules,
)

admin.site.site_header = _("autoreply")
admin.site.site_title = _("autoreply")
admin.site.index_title = _("WeChat auto-reply")
