"""Earlier versions in the admin: a list of every one (deleted rules and tables too), a
page for each, and restoring one after a confirmation. Who may see a rule may see its
versions; who may change it (or add one, once deleted) may restore them."""

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from autoreply.admin import snapshots
from autoreply.admin.scoping import ScopedAdmin, may_see
from autoreply.errors import ImportRefused
from autoreply.files.rules_export import rule_data
from autoreply.history import lookup_versions
from autoreply.history.restore import Restored, RestoreRefused, restore_lookup, restore_rule
from autoreply.lookups.tables import Counts
from autoreply.models import LookupTable, LookupVersion, Rule, RuleVersion

TEMPLATES = "admin/autoreply/history/"


class VersionAdmin(ScopedAdmin):
    """Read-only: versions are written by the changes they record, never edited."""

    versioned: type[models.Model]
    list_display = ["changed_at", "name", "account", "kind", "user", "source", "shown_detail"]
    list_display_links = ["changed_at", "name"]
    list_filter = ["account", "kind", "source"]
    search_fields = ["name", "detail"]
    list_select_related = ["account", "user"]
    show_full_result_count = False

    @admin.display(description=_lazy("detail"), ordering="detail")
    def shown_detail(self, version: Any) -> str:
        return format_html("<code>{}</code>", version.detail) if version.detail else ""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        versioned = self.admin_site.get_model_admin(self.versioned)
        allowed = versioned.has_view_or_change_permission(request)
        return allowed and (obj is None or may_see(request.user, obj))

    def get_urls(self) -> list[Any]:
        name = f"autoreply_{self.opts.model_name}_restore"
        view = self.admin_site.admin_view(self.restore_view)
        return [path("<path:object_id>/restore/", view, name=name), *super().get_urls()]

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        """The version's own page, with the restore button."""
        version = self.get_object(request, unquote(object_id))
        if not self.has_view_permission(request, version):
            raise PermissionDenied
        context = self.page_context(request, version, str(version))
        return TemplateResponse(request, f"{TEMPLATES}{self.opts.model_name}.html", context)

    def restore_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """GET asks to confirm; POST restores and opens the restored rule or table."""
        version = self.get_object(request, unquote(object_id))
        if not self.may_restore(request, version):
            raise PermissionDenied
        if request.method != "POST":
            title = _("Restore %(version)s?") % {"version": version}
            context = {**self.page_context(request, version, title), **self.preview(version)}
            return TemplateResponse(request, f"{TEMPLATES}restore.html", context)
        try:
            restored = self.restore(version)
        except (RestoreRefused, ImportRefused) as exc:
            messages.error(request, _("Nothing was restored: %(why)s") % {"why": exc})
            return HttpResponseRedirect(self.page_url(version))
        done = _("Restored %(version)s.")
        if not restored.changed:
            done = _("Nothing changed: it is already as in %(version)s.")
        messages.success(request, done % {"version": version})
        opts = restored.object._meta
        return HttpResponseRedirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[restored.object.pk])
        )

    def page_context(self, request: HttpRequest, version: Any, title: str) -> dict[str, Any]:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "version": version,
            "current": self.current(version),
            "may_restore": self.may_restore(request, version),
            "restore_url": reverse(
                f"admin:autoreply_{self.opts.model_name}_restore", args=[version.pk]
            ),
            "page_url": self.page_url(version),
            **self.shown(version),
        }

    def page_url(self, version: Any) -> str:
        return reverse(f"admin:autoreply_{self.opts.model_name}_change", args=[version.pk])

    def may_restore(self, request: HttpRequest, version: Any) -> bool:
        versioned = self.admin_site.get_model_admin(self.versioned)
        current = self.current(version)
        if current is None:
            return bool(versioned.has_add_permission(request))
        return bool(versioned.has_change_permission(request, current))

    def current(self, version: Any) -> Any:
        """The rule or table the version is of, as it is now; None once deleted."""
        raise NotImplementedError

    def shown(self, version: Any) -> dict[str, Any]:
        raise NotImplementedError

    def preview(self, version: Any) -> dict[str, Any]:
        return {}

    def restore(self, version: Any) -> Restored:
        raise NotImplementedError


@admin.register(RuleVersion)
class RuleVersionAdmin(VersionAdmin):
    versioned = Rule

    def current(self, version: RuleVersion) -> Rule | None:
        found = Rule.objects.filter(pk=version.rule_id)
        return found.prefetch_related("keywords", "replies__articles").first()

    def shown(self, version: RuleVersion) -> dict[str, Any]:
        rule = self.current(version)
        return {"rows": snapshots.rule_rows(version.data, rule_data(rule) if rule else None)}

    def restore(self, version: RuleVersion) -> Restored:
        return restore_rule(version)


@admin.register(LookupVersion)
class LookupVersionAdmin(VersionAdmin):
    versioned = LookupTable
    list_display = [*VersionAdmin.list_display[:-1], "added", "changed", "removed", "shown_detail"]

    def current(self, version: LookupVersion) -> LookupTable | None:
        return LookupTable.objects.filter(pk=version.table_id).first()

    def shown(self, version: LookupVersion) -> dict[str, Any]:
        rows = snapshots.entry_rows(version.changes)
        return {"entries": rows, "more": len(version.changes) - len(rows)}

    def preview(self, version: LookupVersion) -> dict[str, Any]:
        """What restoring would do to the entries: counted as `tables.store` counts."""
        target = lookup_versions.entries_at(version)
        table = self.current(version)
        entries = table.entries.values_list("normalized_key", "key", "value") if table else []
        stored = {normalized: (key, value) for normalized, key, value in entries}
        counts = Counts(
            added=len(target.keys() - stored.keys()),
            changed=sum(1 for n in target.keys() & stored.keys() if target[n] != stored[n]),
            removed=len(stored.keys() - target.keys()),
        )
        return {"counts": counts}

    def restore(self, version: LookupVersion) -> Restored:
        return restore_lookup(version)
