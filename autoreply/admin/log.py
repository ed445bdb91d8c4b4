"""The message log and the followers: read-only, newest first, linked to each other."""

from django.contrib import admin
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autoreply.admin.layout import Fitted
from autoreply.admin.scoping import ScopedAdmin
from autoreply.models import Follower, Message


def search_link(model: str, openid: str, account_id: int, label: str) -> str:
    """A link to the `model` list searched for one follower's OpenID in one account."""
    url = reverse(f"admin:autoreply_{model}_changelist")
    return format_html(
        '<a href="{}?q={}&account__id__exact={}">{}</a>', url, openid, account_id, label
    )


class ReadOnlyAdmin(ScopedAdmin):
    """WeChat wrote these; operators read them (and may delete, e.g. on request)."""

    def has_add_permission(self, request) -> bool:  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False


@admin.register(Message)
class MessageAdmin(Fitted, ReadOnlyAdmin):
    list_display = [
        "received_at",
        "account",
        "sender",
        "msg_type",
        "event",
        "said",
        "status",
        "answered_by",
        "retries",
        "handling_time",
    ]
    list_filter = [
        "account",
        "status",
        "msg_type",
        ("event", admin.AllValuesFieldListFilter),
        ("received_at", admin.DateFieldListFilter),
    ]
    search_fields = ["from_user", "text"]
    search_help_text = _("Search by sender (OpenID) or by what they said.")
    date_hierarchy = "received_at"
    list_select_related = ["account", "rule"]
    show_full_result_count = False  # no COUNT(*) over a large log on every page
    ordering = ["-received_at"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "account",
                    "received_at",
                    "sender",
                    "to_user",
                    "create_time",
                    "msg_type",
                    "event",
                    "event_key",
                    "msg_id",
                    "text",
                ]
            },
        ),
        (
            _("Answer"),
            {"fields": ["status", "answered_by", "reply_xml", "error", "handling_time", "retries"]},
        ),
        (_("As received"), {"fields": ["raw", "fields"]}),
    ]
    readonly_fields = ["sender", "answered_by", "reply_xml", "raw", "handling_time"]

    @admin.display(description=_("from"), ordering="from_user")
    def sender(self, message: Message) -> str:
        return search_link("follower", message.from_user, message.account_id, message.from_user)

    @admin.display(description=_("text"))
    def said(self, message: Message) -> str:
        return Truncator(message.text).chars(50)

    @admin.display(description=_("rule"), ordering="rule__name")
    def answered_by(self, message: Message) -> str:
        rule = message.answering_rule
        if rule is None:
            return "—"
        url = reverse("admin:autoreply_rule_change", args=[rule.pk])
        return format_html('<a href="{}">{}</a>', url, rule.name)

    @admin.display(description=_("handling time"), ordering="handling_ms")
    def handling_time(self, message: Message) -> str:
        if message.handling_ms is None:
            return "—"
        shown = number_format(round(message.handling_ms, 1), 1)  # it cuts, not rounds
        return gettext("%(ms)s ms") % {"ms": shown}

    @admin.display(description=_("reply (before encryption)"))
    def reply_xml(self, message: Message) -> str:
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', message.reply or "—")

    @admin.display(description=_("raw XML"))
    def raw(self, message: Message) -> str:
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', message.raw_xml)


@admin.register(Follower)
class FollowerAdmin(Fitted, ReadOnlyAdmin):
    list_display = [
        "openid",
        "account",
        "subscribed",
        "subscribed_at",
        "unsubscribed_at",
        "first_seen",
        "last_seen",
        "their_messages",
    ]
    list_filter = ["account", "subscribed"]
    search_fields = ["openid"]
    list_select_related = ["account"]
    show_full_result_count = False

    @admin.display(description=_("messages"), ordering="message_count")
    def their_messages(self, follower: Follower) -> str:
        """How many they sent, as a link to them in the log."""
        count = number_format(follower.message_count)
        return search_link("message", follower.openid, follower.account_id, count)
