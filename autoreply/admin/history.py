"""What the admin records of its own changes, and the "History" (历史) page of a rule or a
lookup table: its versions, newest first, each opening on its own page with a restore
button (autoreply/admin/versions.py). The recording itself is autoreply/history's."""

from typing import Any

from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from autoreply.admin.scoping import ScopedAdmin
from autoreply.choices import ChangeKind, ChangeSource
from autoreply.history import lookup_versions, rule_versions
from autoreply.models import LookupEntry, LookupTable, Rule

ADMIN = ChangeSource.ADMIN
SHOWN_VERSIONS = 100  # on the history page; the version list has them all


class VersionedAdmin(ScopedAdmin):
    """The history page: the object's versions instead of Django's log of admin actions."""

    object_history_template = "admin/autoreply/history/object_history.html"
    version_admin = ""  # the admin URL name of the versions' pages

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))  # another account's: 404
        versions = obj.versions.select_related("user")
        context = {
            "versions": versions[:SHOWN_VERSIONS],
            "version_count": versions.count(),
            "version_url": f"admin:autoreply_{self.version_admin}_change",
            "all_versions_url": reverse(f"admin:autoreply_{self.version_admin}_changelist")
            + f"?{obj._meta.model_name}__id__exact={obj.pk}",
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)


class RuleHistoryAdmin(VersionedAdmin):
    """A rule's admin, recording a version after every change it makes."""

    version_admin = "ruleversion"

    def save_model(self, request: HttpRequest, obj: Rule, form: Any, change: bool) -> None:
        if change:
            rule_versions.before_changing([obj.pk], ADMIN)
        super().save_model(request, obj, form, change)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # the keywords and replies
        kind = ChangeKind.CHANGED if change else ChangeKind.CREATED
        rule_versions.record([form.instance.pk], kind, ADMIN)

    def delete_model(self, request: HttpRequest, obj: Rule) -> None:
        rule_versions.record_deletion(Rule.objects.filter(pk=obj.pk), ADMIN)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Rule]) -> None:
        rule_versions.record_deletion(queryset, ADMIN)
        super().delete_queryset(request, queryset)

    def response_action(self, request: HttpRequest, queryset: QuerySet[Rule]) -> Any:
        """An action may change, copy or delete the selected rules (deleting is recorded
        by `delete_queryset`): the changed ones and the new ones get versions."""
        selected = set(_selected(request, queryset).values_list("pk", flat=True))
        accounts = set(Rule.objects.filter(pk__in=selected).values_list("account_id", flat=True))
        of_accounts = Rule.objects.filter(account_id__in=accounts).values_list("pk", flat=True)
        before = set(of_accounts.all())
        rule_versions.before_changing(selected, ADMIN)
        response = super().response_action(request, queryset)
        after = set(of_accounts.all())
        rule_versions.record(after & selected, ChangeKind.CHANGED, ADMIN)
        rule_versions.record(after - before, ChangeKind.CREATED, ADMIN)
        return response


def _selected(request: HttpRequest, queryset: QuerySet[Rule]) -> QuerySet[Rule]:
    """The rules an action is about to get, chosen as Django's response_action does."""
    if request.POST.get("select_across") == "1":
        return queryset
    return queryset.filter(pk__in=request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))


class LookupTableHistoryAdmin(VersionedAdmin):
    """A lookup table's admin, recording its creation, renaming and deletion."""

    version_admin = "lookupversion"

    def save_model(self, request: HttpRequest, obj: LookupTable, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            lookup_versions.record(obj, {}, ChangeKind.CREATED, ADMIN)
        elif form.changed_data:
            lookup_versions.record(obj, {}, ChangeKind.CHANGED, ADMIN)

    def delete_model(self, request: HttpRequest, obj: LookupTable) -> None:
        lookup_versions.record_deletion(LookupTable.objects.filter(pk=obj.pk), ADMIN)
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[LookupTable]) -> None:
        lookup_versions.record_deletion(queryset, ADMIN)
        super().delete_queryset(request, queryset)


class LookupEntryHistoryAdmin(ScopedAdmin):
    """Lookup entries' admin: each edit is a version of the entry's table (whose history
    page this one's "History" opens)."""

    def save_model(self, request: HttpRequest, obj: LookupEntry, form: Any, change: bool) -> None:
        before = lookup_versions.rows(LookupEntry.objects.filter(pk=obj.pk)) if change else []
        super().save_model(request, obj, form, change)
        after = lookup_versions.rows(LookupEntry.objects.filter(pk=obj.pk))
        lookup_versions.record_entries(before, after, ADMIN)

    def delete_model(self, request: HttpRequest, obj: LookupEntry) -> None:
        self.delete_queryset(request, LookupEntry.objects.filter(pk=obj.pk))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[LookupEntry]) -> None:
        before = lookup_versions.rows(queryset)
        super().delete_queryset(request, queryset)
        lookup_versions.record_entries(before, [], ADMIN)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: Any = None
    ) -> HttpResponse:
        entry = self.get_object(request, unquote(object_id))
        url = reverse("admin:autoreply_lookuptable_history", args=[entry.table_id])
        return HttpResponseRedirect(url)
