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
from django.utils.dateformat import format as date_format
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from nested_admin import NestedModelAdmin, NestedStackedInline, NestedTabularInline
from nested_admin.formsets import NestedInlineFormSet

from autoreply.admin.history import RuleHistoryAdmin
from autoreply.admin.media import ReplyMediaForm
from autoreply.admin.schedule import ScheduleField
from autoreply.admin.scoping import ScopedInline
from autoreply.admin.trial import trial_view
from autoreply.models import Article, Keyword, Message, Reply, Rule
from autoreply.rules import copying, loading
from autoreply.rules import fields as rule_fields
from autoreply.validation import (
    check_reply_on_rule,
    check_rule_parts,
    keyword_warnings,
    reply_warnings,
)
from wechat.replies import REPLY_KINDS


class KeywordInline(NestedTabularInline):
    model = Keyword
    extra = 0
    fields = list(rule_fields.KEYWORD_FIELDS)


class ArticleInline(NestedTabularInline):
    model = Article
    extra = 0
    fields = ["order", *rule_fields.ARTICLE_FIELD_NAMES]
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


class ReplyInline(ScopedInline, NestedStackedInline):
    model = Reply
    form = ReplyMediaForm  # h5: media ids picked from the media library
    formset = ReplyFormSet
    extra = 0
    inlines = [ArticleInline]
    # Every reply type's fields; the page shows each reply only those of its type.
    fields = [("type", "order"), *rule_fields.REPLY_FIELD_NAMES]


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


KeywordInline.formset = KeywordFormSet


@admin.register(Rule)
class RuleAdmin(RuleHistoryAdmin, NestedModelAdmin):
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
        "last_hit",
    ]
    list_display_links = ["name"]
    list_editable = ["priority", "enabled"]
    list_filter = ["account", "msg_type", ("event", admin.AllValuesFieldListFilter), "enabled"]
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
        return [path("try/", view, name="autoreply_rule_try"), *super().get_urls()]

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
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description=_("when"))
    def when(self, rule: Rule) -> str:
        """A badge for rules limited in time: their hours and bounds."""
        entries = [e for e in rule.schedule or () if isinstance(e, dict)]  # psql can write anything
        parts = [f"{e.get('days')} {e.get('from')}–{e.get('to')}" for e in entries]
        if rule.active_from:
            parts.append(_("from %s") % date_format(localtime(rule.active_from), "Y-m-d H:i"))
        if rule.active_until:
            parts.append(_("until %s") % date_format(localtime(rule.active_until), "Y-m-d H:i"))
        if not parts:
            return "—"
        return format_html('<span class="rule-when-badge">🕘 {}</span>', "; ".join(parts))

    @admin.display(description=_("active now"), boolean=True)
    def active_now(self, rule: Rule) -> bool:
        """Enabled and inside its time now: the same compiled window the webhook asks."""
        return rule.enabled and loading.answers_at(rule, int(time.time()))

    @admin.display(description=_("keywords"))
    def keyword_list(self, rule: Rule) -> str:
        patterns = [k.pattern for k in rule.keywords.all()]
        return Truncator(", ".join(patterns)).chars(60) if patterns else "—"

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
        count = getattr(rule, "hit_count", None) or 0
        url = reverse("admin:autoreply_message_changelist") + f"?rule__id__exact={rule.pk}"
        return format_html('<a href="{}">{}</a>', url, count)

    @admin.display(description=_("last hit"), ordering="last_hit_at")
    def last_hit(self, rule: Rule):  # type: ignore[no-untyped-def]
        return getattr(rule, "last_hit_at", None)

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
