"""Lookup tables in the admin: browse, search and edit entries; changes reach the
webhook within a second, like rule changes."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models
from django.db.models import Count
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autoreply.admin.history import LookupEntryHistoryAdmin, LookupTableHistoryAdmin
from autoreply.admin.layout import Fitted
from autoreply.models import LookupEntry, LookupTable
from autoreply.stored.lookups import DUPLICATE_KEY
from autoreply.text import normalize

# A value is usually a line (a place, a phone number); a one-row box keeps each entry on
# one line and, unlike a text input, keeps the line breaks of the values that have them.
ONE_LINE: dict[type[models.Field], dict[str, Any]] = {
    models.TextField: {"widget": forms.Textarea(attrs={"rows": 1, "cols": 60, "class": "one-line"})}
}
INLINE_ENTRIES = 100  # a larger table is edited in the entries list, 50 a page, searched


class EntryFormSet(forms.BaseInlineFormSet):
    """Each row is checked against the stored keys (the model's clean); this checks the
    rows of one submit against each other, so two new rows with one key are refused."""

    def clean(self) -> None:
        super().clean()
        seen: set[str] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or data.get("DELETE") or not data.get("key"):
                continue
            key = normalize(data["key"])
            if key in seen:
                form.add_error("key", DUPLICATE_KEY % {"key": data["key"]})
            seen.add(key)


class LookupEntryInline(admin.TabularInline):
    model = LookupEntry
    formset = EntryFormSet
    fields = ["key", "value"]
    extra = 1
    formfield_overrides = ONE_LINE


@admin.register(LookupTable)
class LookupTableAdmin(Fitted, LookupTableHistoryAdmin):
    list_display = ["name", "account", "description", "size", "updated_at", "browse"]
    list_filter = ["account"]
    search_fields = ["name", "description"]
    ordering = ["account", "name"]  # stated: the count below groups, and grouping drops Meta's

    def get_inlines(self, request, obj):  # type: ignore[no-untyped-def]
        """The entries on the table's own page, one line each, while they fit one page."""
        if obj is not None and obj.entries.count() > INLINE_ENTRIES:
            return []
        return [LookupEntryInline]

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
class LookupEntryAdmin(Fitted, LookupEntryHistoryAdmin):
    list_display = ["key", "value", "table", "updated_at"]
    list_editable = ["value"]
    list_filter = ["table__account", "table"]
    search_fields = ["key", "normalized_key", "value"]
    list_select_related = ["table"]
    show_full_result_count = False
    fields = ["table", "key", "value"]
    list_per_page = 50
    formfield_overrides = ONE_LINE  # the list edits values in place, one line each
