"""Customer-service messages in the admin: each beside the message that caused it, and a
list of its own with outcome, errcode and errmsg (read-only: the worker writes these)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from autoreply.admin.log import MessageAdmin, ReadOnlyAdmin
from autoreply.admin.scoping import ScopedInline
from autoreply.models import OutboundMessage

COLUMNS = ["order", "reason", "msgtype", "status", "errcode", "errmsg", "attempts", "sent_at"]


class OutboundInline(ScopedInline, admin.TabularInline):
    model = OutboundMessage
    fields = readonly_fields = (*COLUMNS, "content")
    extra = 0
    can_delete = False
    verbose_name_plural = _("customer-service messages sent after it")

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False

    @admin.display(description=_("content"))
    def content(self, row: OutboundMessage) -> str:
        return format_html("<code>{}</code>", row.payload.get(row.msgtype))


# The message log shows what followed each message (the log is autoreply/admin/log.py's).
MessageAdmin.inlines = [*MessageAdmin.inlines, OutboundInline]


@admin.register(OutboundMessage)
class OutboundMessageAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "account", "openid", "caused_by", *COLUMNS]
    list_filter = ["account", "status", "reason", "errcode"]
    search_fields = ["openid"]
    list_select_related = ["account"]
    show_full_result_count = False

    @admin.display(description=_("message"), ordering="message")
    def caused_by(self, row: OutboundMessage) -> str:
        if row.message_id is None:
            return "—"
        url = reverse("admin:autoreply_message_change", args=[row.message_id])
        return format_html('<a href="{}">#{}</a>', url, row.message_id)
