"""The platform's three places (被关注回复, 收到消息回复, 关键词回复) as the admin's entry
points: in the app list and above the rule list, each opening the rules of its kind, with
an "add" link whose form comes prefilled (initial values as GET parameters).

The add page reads the rule's fields by name (`?msg_type=event&event=subscribe`), as
Django's admin does, and keywords as `?keyword=TEXT&keyword_mode=exact` (repeatable; an
empty `keyword` gives an empty row to fill in).
"""

from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin, messages
from django.http import HttpRequest
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autoreply.admin.confirmations import CONFIRM_FIELD, needs_confirmation
from autoreply.admin.events import EventPicker
from autoreply.choices import KeywordMode, MsgType
from autoreply.files.platform import DEFAULT_COOLDOWN, DEFAULT_PRIORITY
from autoreply.models import Keyword, Rule
from autoreply.rules.places import Place, rules_in
from autoreply.validation import event_warnings

ENTRY_POINTS = (Place.SUBSCRIBE, Place.DEFAULT, Place.KEYWORD)
ACCOUNT_FILTER = "account__id__exact"  # the rule list's account filter, as Django names it


def prefill(place: Place) -> dict[str, Any]:
    """The add page's initial values for a new rule of `place`, as the platform has them."""
    if place == Place.SUBSCRIBE:
        return {"name": gettext("Reply on follow"), "msg_type": MsgType.EVENT, "event": "subscribe"}
    if place == Place.DEFAULT:
        # The platform's default reply answers a follower at most once an hour, and last.
        return {
            "name": gettext("Reply to any message"),
            "msg_type": MsgType.ANY,
            "priority": DEFAULT_PRIORITY,
            "cooldown_seconds": DEFAULT_COOLDOWN,
        }
    return {"msg_type": MsgType.TEXT, "keyword": "", "keyword_mode": KeywordMode.CONTAINS}


def add_url(initial: dict[str, Any]) -> str:
    """The add page with `initial` filled in (empty values left out, except `keyword`)."""
    query = {key: value for key, value in initial.items() if value != "" or key == "keyword"}
    return f"{reverse('admin:autoreply_rule_add')}?{urlencode(query, doseq=True)}"


def list_url(place: Place, account: str | None = None) -> str:
    query = {"place": place.value, **({ACCOUNT_FILTER: account} if account else {})}
    return f"{reverse('admin:autoreply_rule_changelist')}?{urlencode(query)}"


def entry_points(account: str | None = None) -> list[dict[str, str]]:
    """Each place's label, list and add page (for one account when it is given)."""
    chosen = {"account": account} if account else {}
    return [
        {
            "place": place.value,
            "label": str(capfirst(place.label)),
            "list_url": list_url(place, account),
            "add_url": add_url({**chosen, **prefill(place)}),
        }
        for place in ENTRY_POINTS
    ]


def prefilled_keywords(request: HttpRequest) -> list[dict[str, str]]:
    """The keyword rows the add page's GET parameters ask for."""
    mode = request.GET.get("keyword_mode", "")
    mode = mode if mode in KeywordMode.values else KeywordMode.CONTAINS
    return [{"mode": mode, "pattern": text} for text in request.GET.getlist("keyword")]


class PlaceFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "place"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return list(Place.choices)

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        place = self.value()
        return rules_in(place, queryset) if place in Place.values else queryset


def show_in_app_list(site: admin.AdminSite) -> None:
    """Lists the places before the rules in the site's app list (index, app page, sidebar).
    Django's default site is kept (a site of our own would be named in INSTALLED_APPS)."""
    get_app_list: Callable[..., list[dict[str, Any]]] = site.get_app_list

    def with_places(request: HttpRequest, app_label: str | None = None) -> list[dict[str, Any]]:
        app_list = get_app_list(request, app_label)
        for app in app_list:
            models = app["models"]
            for index, model in enumerate(models):
                if model["model"] is Rule:
                    models[index:index] = list(_app_list_entries(model))
                    return app_list
        return app_list

    site.get_app_list = with_places  # type: ignore[method-assign]


def _app_list_entries(rules: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for point in entry_points():
        yield {
            **rules,
            "name": point["label"],
            "object_name": f"place_{point['place']}",
            "admin_url": rules["admin_url"] and point["list_url"],
            "add_url": rules["add_url"] and point["add_url"],
        }


class RulePlaces:
    """The rule admin's part in this: the entry points above the list, the prefilled add
    page, the event picker, and what is said about a rule's event once it is saved."""

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> Any:
        account = request.GET.get(ACCOUNT_FILTER)
        extra_context = {**(extra_context or {}), "places": entry_points(account)}
        return super().changelist_view(request, extra_context)  # type: ignore[misc]

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.model is Rule and db_field.name == "event":
            kwargs["widget"] = EventPicker()
        return super().formfield_for_dbfield(db_field, request, **kwargs)  # type: ignore[misc]

    def get_formsets_with_inlines(self, request: HttpRequest, obj: Any = None) -> Iterator[Any]:
        rows = len(_keywords_asked(request, obj))
        for formset, inline in super().get_formsets_with_inlines(request, obj):  # type: ignore[misc]
            if rows and inline.model is Keyword:
                formset = inline.get_formset(request, obj, extra=rows)
            yield formset, inline

    def get_formset_kwargs(self, request: HttpRequest, obj: Any, inline: Any, prefix: str) -> Any:
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)  # type: ignore[misc]
        if inline.model is Keyword and (rows := _keywords_asked(request, obj)):
            kwargs["initial"] = rows
        return kwargs

    def render_change_form(
        self, request: HttpRequest, context: Any, *args: Any, **kwargs: Any
    ) -> Any:
        formsets = [inline.formset for inline in context.get("inline_admin_formsets", [])]
        context["confirm_field"] = CONFIRM_FIELD
        context["needs_confirmation"] = needs_confirmation(formsets)
        return super().render_change_form(request, context, *args, **kwargs)  # type: ignore[misc]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        for warning in event_warnings(form.instance):
            messages.warning(request, warning)


def _keywords_asked(request: HttpRequest, obj: Any) -> list[dict[str, str]]:
    """Rows to prefill: only on the add page as first shown (once posted, what was typed
    counts, and a row left as prefilled must still count as typed)."""
    adding = obj is None or obj.pk is None
    return prefilled_keywords(request) if adding and request.method == "GET" else []
