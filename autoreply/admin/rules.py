"""The rule editor: a rule with its keywords, replies and news articles on one page.

Validation is the models' own (autoreply/validation.py); what depends on the rule and
its parts together is checked here on the inline formsets, so each error shows next
to the reply or keyword it is about, before anything is saved.
"""

import time

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Max, OuterRef, Subquery
from django.urls import path, reverse
from django.utils import formats
from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.timesince import timesince
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from nested_admin import (
    NestedModelAdmin,
    NestedStackedInline,
    NestedTabularInline,
    SortableHiddenMixin,
)
from nested_admin.formsets import NestedInlineFormSet

from autoreply.admin import files
from autoreply.admin.badges import keyword_badges
from autoreply.admin.confirmations import check_outranking
from autoreply.admin.conversation import ContextChangeField, DatalistInput
from autoreply.admin.history import RuleHistoryAdmin
from autoreply.admin.layout import Fitted
from autoreply.admin.media import ReplyMediaForm
from autoreply.admin.places import PlaceFilter, RulePlaces
from autoreply.admin.schedule import ScheduleField
from autoreply.admin.scoping import ScopedInline, accounts_for
from autoreply.admin.trial import trial_view
from autoreply.models import Article, Keyword, Message, Reply, Rule
from autoreply.rules import copying, loading
from autoreply.rules import fields as rule_fields
from autoreply.rules.conversation_names import context_names, started_names
from autoreply.validation import (
    check_reply_on_rule,
    check_rule_parts,
    conversation_warnings,
    keyword_warnings,
    reply_warnings,
)
from wechat.replies import REPLY_KINDS


class KeywordInline(NestedTabularInline):
    model = Keyword
    extra = 0
    fields = list(rule_fields.KEYWORD_FIELDS)


class ArticleInline(SortableHiddenMixin, NestedTabularInline):
    model = Article
    extra = 0
    # Dragged into place; nested_admin numbers the hidden `order` the rules file keeps.
    sortable_field_name = "order"
    fields = [*rule_fields.ARTICLE_FIELD_NAMES, "order"]
    verbose_name_plural = _("news articles (for news replies)")


class ReplyFormSet(NestedInlineFormSet):
    """Checks what a reply cannot know alone: its type against the rule, its articles."""

    def clean(self) -> None:
        super().clean()
        for form in self.forms:
            if (not form.has_changed() and not form.instance.pk) or _deleted(form):
                continue
            if not hasattr(form, "cleaned_data") or "type" not in form.cleaned_data:
                continue
            try:
                check_reply_on_rule(self.instance, form.instance, _article_count(form))
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(None if field == "articles" else field, errors)


def _deleted(form) -> bool:  # type: ignore[no-untyped-def]
    return bool(getattr(form, "cleaned_data", {}).get("DELETE"))


def _article_count(form) -> int:  # type: ignore[no-untyped-def]
    count = 0
    for nested in getattr(form, "nested_formsets", []):
        nested.is_valid()  # nested formsets are validated after their parents by default
        for article in nested.forms:
            data = getattr(article, "cleaned_data", None)
            if data and not data.get("DELETE") and (article.instance.pk or article.has_changed()):
                count += 1
    return count


class ReplyInline(ScopedInline, SortableHiddenMixin, NestedStackedInline):
    model = Reply
    form = ReplyMediaForm  # h5: media ids picked from the media library
    formset = ReplyFormSet
    extra = 0
    inlines = [ArticleInline]
    sortable_field_name = "order"  # as for articles: dragged, numbered, kept in the file
    # Every reply type's fields; the page shows each reply only those of its type.
    fields = ["type", *rule_fields.REPLY_FIELD_NAMES, "order"]


class KeywordFormSet(NestedInlineFormSet):
    def clean(self) -> None:
        super().clean()
        kept = [
            f.instance
            for f in self.forms
            if getattr(f, "cleaned_data", None)
            and not _deleted(f)
            and f.cleaned_data.get("pattern")
        ]
        try:
            check_rule_parts(self.instance, kept, [], [])
        except ValidationError as exc:
            raise ValidationError(exc.messages) from None
        check_outranking(self.instance, kept, self.data)


KeywordInline.formset = KeywordFormSet


@admin.register(Rule)
class RuleAdmin(RulePlaces, Fitted, RuleHistoryAdmin, NestedModelAdmin):
    inlines = [KeywordInline, ReplyInline]
    list_display = [
        "name",
        "account",
        "priority",
        "enabled",
        "msg_type",
        "event",
        "keyword_list",
        "when",
        "active_now",
        "reply_summary",
        "hits",
    ]
    list_display_links = ["name"]
    list_editable = ["priority", "enabled"]
    list_filter = [
        PlaceFilter,
        "account",
        "msg_type",
        ("event", admin.AllValuesFieldListFilter),
        "enabled",
    ]
    search_fields = ["name", "keywords__pattern", "replies__content", "replies__title"]
    list_select_related = ["account"]
    ordering = ["account", "-priority", "name"]
    actions = ["enable", "disable", "duplicate"]
    save_on_top = True
    fieldsets = rule_fields.fieldsets()

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        hits = Message.objects.filter(rule=OuterRef("pk")).order_by().values("rule")
        return (
            super()
            .get_queryset(request)
            .prefetch_related("keywords", "replies")
            .annotate(
                hit_count=Subquery(hits.annotate(n=Count("*")).values("n")),
                last_hit_at=Subquery(hits.annotate(at=Max("received_at")).values("at")),
            )
        )

    def get_urls(self):  # type: ignore[no-untyped-def]
        view = self.admin_site.admin_view(self.trial)
        return [
            path("try/", view, name="autoreply_rule_try"),
            *files.urls(self),  # uploading and exporting rules files
            *super().get_urls(),
        ]

    def trial(self, request):  # type: ignore[no-untyped-def]
        return trial_view(self, request)

    def get_changeform_initial_data(self, request):  # type: ignore[no-untyped-def]
        """`?account=ID&name=TEXT`: the dashboard's "answer this question" link."""
        initial = super().get_changeform_initial_data(request)
        if "name" in initial:
            initial["name"] = Truncator(str(initial["name"])).chars(100)
        return initial

    def formfield_for_dbfield(self, db_field, request, **kwargs):  # type: ignore[no-untyped-def]
        if db_field.name == "schedule":  # a table of days and hours, not JSON
            return ScheduleField(label=db_field.verbose_name.capitalize())
        if db_field.name == "sets_context":  # a name and seconds, not JSON
            return ContextChangeField(label=db_field.verbose_name.capitalize())
        if db_field.name == "requires_context":
            kwargs["widget"] = DatalistInput()
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):  # type: ignore[no-untyped-def]
        form = super().get_form(request, obj, change, **kwargs)
        # Suggested, any name allowed; only from the accounts this user may see.
        known = context_names([obj.account_id] if obj else accounts_for(request.user))
        form.base_fields["requires_context"].widget.options = known
        form.base_fields["sets_context"].widget.widgets[0].options = known
        return form

    @admin.display(description=_("when"))
    def when(self, rule: Rule) -> str:
        """Badges for rules limited in time (their hours and bounds) or in a conversation."""
        entries = [e for e in rule.schedule or () if isinstance(e, dict)]  # psql can write anything
        parts = [f"{e.get('days')} {e.get('from')}–{e.get('to')}" for e in entries]
        if rule.active_from:
            parts.append(_("from %s") % date_format(localtime(rule.active_from), "Y-m-d H:i"))
        if rule.active_until:
            parts.append(_("until %s") % date_format(localtime(rule.active_until), "Y-m-d H:i"))
        badges = []
        if parts:
            badges.append(
                format_html('<span class="rule-when-badge">🕘 {}</span>', "; ".join(parts))
            )
        badges += [
            format_html('<span class="rule-conversation-badge">💬 {}</span>', words)
            for words in _conversation_words(rule)
        ]
        return format_html_join(" ", "{}", ((badge,) for badge in badges)) if badges else "—"

    @admin.display(description=_("active now"), boolean=True)
    def active_now(self, rule: Rule) -> bool:
        """Enabled and inside its time now: the same compiled window the webhook asks."""
        return rule.enabled and loading.answers_at(rule, int(time.time()))

    @admin.display(description=_("keywords"))
    def keyword_list(self, rule: Rule) -> str:
        return keyword_badges(rule.keywords.all())

    @admin.display(description=_("replies"))
    def reply_summary(self, rule: Rule) -> str:
        replies = list(rule.replies.all())
        if not replies:
            return gettext("silence")
        first = replies[0].content or replies[0].title or replies[0].get_type_display()
        more = f" (+{len(replies) - 1})" if len(replies) > 1 else ""
        return Truncator(first).chars(40) + more

    @admin.display(description=_("hits"), ordering="hit_count")
    def hits(self, rule: Rule) -> str:
        """How many messages it answered (a link to them) and, below, when it last did:
        one column, so that the list fits a 1366 px screen."""
        count = getattr(rule, "hit_count", None) or 0
        url = reverse("admin:autoreply_message_changelist") + f"?rule__id__exact={rule.pk}"
        last = getattr(rule, "last_hit_at", None)
        if last is None:
            return format_html('<a href="{}">{}</a>', url, count)
        at = formats.date_format(localtime(last), "DATETIME_FORMAT")
        ago = gettext("%(time)s ago") % {"time": timesince(last, depth=1)}
        html = '<a href="{}">{}</a><div class="quiet" title="{}">{}</div>'
        return format_html(html, url, count, at, ago)

    @admin.action(description=_("Enable the selected rules"))
    def enable(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        count = queryset.update(enabled=True)
        message = ngettext(
            "%(count)d rule enabled; the webhook answers with it now.",
            "%(count)d rules enabled; the webhook answers with them now.",
            count,
        )
        self.message_user(request, message % {"count": count})

    @admin.action(description=_("Disable the selected rules"))
    def disable(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        count = queryset.update(enabled=False)
        message = ngettext("%(count)d rule disabled.", "%(count)d rules disabled.", count)
        self.message_user(request, message % {"count": count})

    @admin.action(description=_("Duplicate the selected rules (copies start disabled)"))
    def duplicate(self, request, queryset) -> None:  # type: ignore[no-untyped-def]
        copies = [copying.duplicate_rule(rule) for rule in queryset]
        names = gettext(", ").join(f"“{copy.name}”" for copy in copies)
        message = gettext("Created %(names)s, disabled until you enable them.")
        self.message_user(request, message % {"names": names})

    def render_change_form(self, request, context, *args, **kwargs):  # type: ignore[no-untyped-def]
        context["reply_fields"] = {
            "fields": {name: kind.field_names for name, kind in REPLY_KINDS.items()},
            "articles": [name for name, kind in REPLY_KINDS.items() if kind.articles],
        }
        return super().render_change_form(request, context, *args, **kwargs)

    def save_related(self, request, form, formsets, change) -> None:  # type: ignore[no-untyped-def]
        super().save_related(request, form, formsets, change)
        for reply in form.instance.replies.all():
            for warning in reply_warnings(reply):
                messages.warning(request, warning)
        for keyword in form.instance.keywords.all():
            for warning in keyword_warnings(keyword):
                messages.warning(request, warning)
        started = started_names(form.instance.account_id)
        for warning in conversation_warnings(form.instance, started):
            messages.warning(request, warning)


def _conversation_words(rule: Rule) -> list[str]:
    """What a rule does in conversations, in a few words each, for the rule list."""
    words = []
    if rule.requires_context:
        words.append(gettext("only in “%(name)s”") % {"name": rule.requires_context})
    started = rule.sets_context if isinstance(rule.sets_context, dict) else None
    if started:
        message = gettext("starts “%(name)s” for %(seconds)s s")
        words.append(message % {"name": started.get("name"), "seconds": started.get("seconds")})
    if rule.clears_context:
        words.append(gettext("ends the conversation"))
    return words
