"""The operators' admin, one module per area; importing them registers them."""

from django.contrib import admin

from autoreply.admin import (  # noqa: F401  (importing registers them)
    accounts,
    log,
    lookups,
    media,
    outbound,
    rules,
)

admin.site.site_header = "autoreply"
admin.site.site_title = "autoreply"
admin.site.index_title = "WeChat auto-reply"
