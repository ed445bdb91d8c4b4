"""The operators' admin, one module per area; importing them registers them."""

from django.contrib import admin

from autoreply import admin_accounts, admin_log, admin_lookups, admin_rules  # noqa: F401

admin.site.site_header = "autoreply"
admin.site.site_title = "autoreply"
admin.site.index_title = "WeChat auto-reply"
