"""The operators' admin: accounts, rules with their keywords and replies, the message log."""

from django.contrib import admin

from autoreply.models import Account, Article, Follower, Keyword, Message, Reply, Rule


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "app_id", "encryption_mode", "original_id"]
    readonly_fields = ["original_id", "created_at", "updated_at"]


class KeywordInline(admin.TabularInline):
    model = Keyword
    extra = 1


class ReplyInline(admin.StackedInline):
    model = Reply
    extra = 1


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "priority", "enabled", "msg_type", "event"]
    list_filter = ["account", "enabled", "msg_type"]
    search_fields = ["name", "keywords__pattern"]
    inlines = [KeywordInline, ReplyInline]


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "reply"]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ["received_at", "account", "from_user", "msg_type", "event", "text", "status"]
    list_filter = ["account", "status", "msg_type"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Follower)
class FollowerAdmin(admin.ModelAdmin):
    list_display = ["openid", "account", "subscribed", "message_count", "last_seen"]
    list_filter = ["account", "subscribed"]
