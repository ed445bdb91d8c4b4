"""Lookup tables in the admin: browse, search and edit entries; changes reach the
webhook within a second, like rule changes."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autoreply.admin.history import LookupEntryHistoryAdmin, LookupTableHistoryAdmin
from autoreply.models import LookupEntry, LookupTable


@admin.register(LookupTable)
class LookupTableAdmin(LookupTableHistoryAdmin):
    list_display = ["name", "account", "description", "size", "updated_at", "browse"]
    list_filter = ["account"]
    search_fields = ["name", "description"]
    ordering = ["account", "name"]  # stated: the count below groups, and grouping drops Meta's

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        return super().get_queryset(request).annotate(entry_count=Count("entries"))

    @admin.display(description=_("entries"), ordering="entry_count")
    def size(self, table: LookupTable) -> int:
        return getattr(table, "entry_count", 0)

    @admin.display(description="")
    def browse(self, table: LookupTable) -> str:
        url = reverse("admin:autoreply_lookupentry_changelist") + f"?table__id__exact={table.pk}"
        return format_html('<a href="{}">{}</a>', url, gettext("browse and edit entries"))


@admin.register(LookupEntry)
class LookupEntryAdmin(LookupEntryHistoryAdmin):
    list_display = ["key", "value", "table", "updated_at"]
    list_editable = ["value"]
    list_filter = ["table__account", "table"]
    search_fields = ["key", "normalized_key", "value"]
    list_select_related = ["table"]
    show_full_result_count = False
    fields = ["table", "key", "value"]
    list_per_page = 50
