"""Accounts in the admin: secrets masked once saved, the webhook URL to paste into the
WeChat platform, and links to the account's dashboard, rules, log and trial page."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import path, reverse
from django.utils.html import escape, format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autoreply.admin.dashboard import dashboard_view
from autoreply.admin.scoping import ScopedAdmin
from autoreply.models import SECRET_FIELDS, Account
from wechat.pushes import SIMULATED_GH_ID


def masked(value: str) -> str:
    return f"••••••{value[-4:]}" if value else gettext("(none)")


class AccountForm(forms.ModelForm):
    """Secrets are write-only once stored: a blank field keeps the stored value."""

    clear_previous_key = forms.BooleanField(
        required=False, label=_("Forget the previous EncodingAESKey")
    )

    class Meta:
        model = Account
        fields = [
            "slug",
            "name",
            "app_id",
            "encryption_mode",
            "original_id",
            *SECRET_FIELDS,
            "operators",
        ]
        widgets = {name: forms.PasswordInput(render_value=False) for name in SECRET_FIELDS}
        help_texts = {
            "original_id": _(
                "The account's 原始ID (gh_…, under 设置与开发 → 基本配置 on the platform). "
                "Learned from the first push WeChat sends (never from the simulator's); "
                "correct it here, or empty it to learn it again."
            )
        }

    def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        # The admin shows help texts as HTML, and this one names a path with <slug> in it.
        self.fields["slug"].help_text = escape(self.fields["slug"].help_text)
        stored = self.instance.pk is not None
        for name in SECRET_FIELDS:
            field = self.fields[name]
            field.required = name == "token" and not stored
            if stored:
                stored_value = masked(getattr(self.instance, name))
                field.help_text = gettext("Stored: %(value)s. Leave blank to keep it.") % {
                    "value": stored_value
                }
        if not stored:
            del self.fields["clear_previous_key"]
            for name in SECRET_FIELDS:  # nothing is stored yet: show what was typed on errors
                self.fields[name].widget.render_value = True

    def clean_original_id(self) -> str:
        value: str = self.cleaned_data["original_id"].strip()
        if value == SIMULATED_GH_ID:
            message = _("%(id)s is what the simulator sends, not an account's original ID.")
            raise ValidationError(message, code="simulated_original_id", params={"id": value})
        return value

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        if self.instance.pk is not None:
            original = Account.objects.get(pk=self.instance.pk)
            for name in SECRET_FIELDS:
                if not data.get(name):
                    data[name] = getattr(original, name)
            if data.get("clear_previous_key"):
                data["previous_encoding_aes_key"] = ""
        return data


@admin.register(Account)
class AccountAdmin(ScopedAdmin):
    form = AccountForm
    filter_horizontal = ["operators"]
    list_display = ["slug", "name", "app_id", "encryption_mode", "original_id", "links"]
    readonly_fields = ["created_at", "updated_at"]
    search_fields = ["slug", "name", "app_id", "original_id"]

    def get_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        """Nothing to forget before the account is stored: the add page (whose form has
        no such field) would fail asking for it."""
        fields = super().get_fields(request, obj)
        return fields if obj is not None else [f for f in fields if f != "clear_previous_key"]

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return bool(request.user.is_superuser)  # a staff user's accounts are given to them

    def get_exclude(self, request, obj=None):  # type: ignore[no-untyped-def]
        return None if request.user.is_superuser else ["operators"]  # who sees what

    def get_urls(self):  # type: ignore[no-untyped-def]
        dashboard = self.admin_site.admin_view(self.dashboard)
        return [
            path("<int:account_id>/dashboard/", dashboard, name="autoreply_account_dashboard"),
            *super().get_urls(),
        ]

    def dashboard(self, request, account_id: int):  # type: ignore[no-untyped-def]
        if not self.has_view_permission(request):
            raise PermissionDenied
        return dashboard_view(request, account_id)

    @admin.display(description="")
    def links(self, account: Account) -> str:
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:autoreply_account_dashboard", args=[account.pk]),
            gettext("dashboard"),
            reverse("admin:autoreply_rule_changelist") + f"?account__id__exact={account.pk}",
            gettext("rules"),
            reverse("admin:autoreply_rule_try") + f"?account={account.pk}",
            gettext("try a message"),
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):  # type: ignore[no-untyped-def]
        if obj is not None:
            context["webhook_url"] = request.build_absolute_uri(f"/wechat/{obj.slug}/")
            context["account_links"] = self.links(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)
