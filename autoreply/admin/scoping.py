"""Who sees what in the admin: a superuser every account; a staff user only the accounts
whose operators they are, and of those everything (rules and their parts, messages,
followers, lookup tables, media, customer-service sends, history).

Decided here only. Each model reaches its account through its foreign keys
(`account_path`, found once per model); every admin of the app filters by it
(`ScopedAdmin`, `ScopedInline`: lists, forms, choices, filters, autocompletes, actions),
and pages of their own ask `account_or_404` or `scope_form`. Another account's object
is not found (404), whatever the URL says.
"""

from functools import cache
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.options import BaseModelAdmin, InlineModelAdmin
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import ValidationError
from django.db import models
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from autoreply.models import Account

ACCOUNT_IDS = "_autoreply_account_ids"  # cached on the request's user, once per request


def accounts_for(user: Any) -> "models.QuerySet[Account]":
    """The accounts `user` may see and edit in the admin."""
    if user.is_superuser:
        return Account.objects.all()
    if not (user.is_active and user.is_staff):
        return Account.objects.none()
    return Account.objects.filter(operators=user.pk)


def account_ids(user: Any) -> frozenset[int]:
    if not hasattr(user, ACCOUNT_IDS):
        setattr(user, ACCOUNT_IDS, frozenset(accounts_for(user).values_list("pk", flat=True)))
    ids: frozenset[int] = getattr(user, ACCOUNT_IDS)
    return ids


def account_path(model: type[models.Model]) -> str | None:
    """The lookup from `model` to its account: "" for Account itself, "account", or
    through a parent ("table__account", "reply__rule__account"); None for a model of
    no account (a user)."""
    path: str | None = _path(model._meta.label, ())
    return path


@cache
def _path(label: str, seen: tuple[str, ...]) -> str | None:
    model = apps.get_model(label)
    if model is Account:
        return ""
    parents = [
        field
        for field in model._meta.get_fields()
        if (field.many_to_one or field.one_to_one) and field.concrete and field.related_model
    ]
    for field in parents:
        if field.related_model is Account:
            return str(field.name)
    for field in parents:
        parent = field.related_model._meta
        if parent.app_label == Account._meta.app_label and parent.label not in seen:
            found = _path(parent.label, (*seen, label))
            if found:
                return f"{field.name}__{found}"
    return None


def scope(queryset: "models.QuerySet[Any]", user: Any) -> "models.QuerySet[Any]":
    """`queryset` limited to what `user` may see."""
    path = account_path(queryset.model)
    if path is None or user.is_superuser:
        return queryset
    return queryset.filter(**{f"{path}__in" if path else "pk__in": accounts_for(user)})


def may_see(user: Any, obj: models.Model) -> bool:
    """Whether `obj` belongs to one of `user`'s accounts (or to no account at all)."""
    path = account_path(type(obj))
    if path is None or user.is_superuser:
        return True
    if not path:
        return obj.pk in account_ids(user)
    *parents, last = path.split("__")
    owner: Any = obj
    for name in parents:
        owner = getattr(owner, name)
    return getattr(owner, f"{last}_id") in account_ids(user)


def account_or_404(request: HttpRequest, account_id: Any) -> Account:
    """The account a page of its own is asked about, if the user may see it."""
    try:
        return accounts_for(request.user).get(pk=int(account_id))
    except (Account.DoesNotExist, TypeError, ValueError):
        raise Http404(_("No such account among yours.")) from None


def scope_form(form: forms.BaseForm, request: HttpRequest) -> None:
    """Offer the form's choices of account data from the user's accounts only; a choice
    of another account in the request is not found (404), as its URL would be."""
    for name, field in form.fields.items():
        if not isinstance(field, forms.ModelChoiceField) or field.queryset is None:
            continue
        field.queryset = scope(field.queryset, request.user)
        value = form.data.get(form.add_prefix(name)) if form.is_bound else None
        if value not in field.empty_values:
            try:
                field.clean(value)
            except ValidationError:
                raise Http404(_("No such choice among your accounts.")) from None


class ScopedRelatedFilter(admin.RelatedFieldListFilter):
    """A list filter by a related object offering only the user's accounts' objects."""

    def field_choices(self, field: Any, request: HttpRequest, model_admin: Any) -> Any:
        ordering = self.field_admin_ordering(field, request, model_admin)
        allowed = scope(field.related_model._default_manager.all(), request.user)
        return field.get_choices(
            include_blank=False, ordering=ordering, limit_choices_to={"pk__in": allowed}
        )


class _Scoped(BaseModelAdmin):
    def get_queryset(self, request: HttpRequest) -> Any:
        return scope(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if isinstance(field, forms.ModelChoiceField) and field.queryset is not None:
            field.queryset = scope(field.queryset, request.user)
        return field

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        widget = kwargs.get("widget")
        if widget is not None and hasattr(widget, "scoped_to"):  # it offers account data
            kwargs["widget"] = widget.scoped_to(accounts_for(request.user))
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class ScopedInline(_Scoped, InlineModelAdmin):
    """An inline of a scoped admin: its rows and choices from the user's accounts."""


class ScopedAdmin(_Scoped, admin.ModelAdmin):
    """A model admin showing a staff user only their accounts' objects."""

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        found = super().get_object(request, object_id, from_field)
        if found is None:  # never "it may have been deleted" for another account's object
            raise Http404(_("No such object among your accounts'."))
        return found

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or may_see(request.user, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or may_see(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or may_see(request.user, obj))

    def get_list_filter(self, request: HttpRequest) -> Any:
        return [self._scoped_filter(entry) for entry in super().get_list_filter(request)]

    def _scoped_filter(self, entry: Any) -> Any:
        if not isinstance(entry, str):
            return entry
        field = get_fields_from_path(self.model, entry)[-1]
        related = field.related_model if field.is_relation else None
        if isinstance(related, type) and account_path(related) is not None:
            return (entry, ScopedRelatedFilter)
        return entry
