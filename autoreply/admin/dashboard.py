"""The per-account dashboard page in the admin: how much traffic, how it was answered,
which rules answer most, and what followers ask that no rule answers yet.

Routed by `AccountAdmin.get_urls` (admin login and view permission) as
`admin:autoreply_account_dashboard`; the figures come from `stats`, the charts from `charts`.
"""

from django import forms
from django.contrib import admin, messages
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.safestring import SafeString
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autoreply.admin import places, scoping
from autoreply.choices import KeywordMode, MsgType
from autoreply.models import Account, Keyword, Rule
from autoreply.reports import charts, stats

TEMPLATE = "admin/autoreply/dashboard.html"
RULE_NAME_LENGTH = Rule._meta.get_field("name").max_length or 100
KEYWORD_LENGTH = Keyword._meta.get_field("pattern").max_length or 500
SHOWN_BAD_VALUE = 40  # characters of a bad period parameter echoed back


class PeriodForm(forms.Form):
    """The GET form above the dashboard: how many days back to look."""

    days = forms.TypedChoiceField(
        label=_("Period"),
        coerce=int,
        choices=[
            (days, format_lazy(_("last {days} days"), days=days)) for days in stats.PERIOD_DAYS
        ],
    )


def dashboard_view(request: HttpRequest, account_id: int) -> HttpResponse:
    """The dashboard of one account over the period the form chose (default 30 days)."""
    account = scoping.account_or_404(request, account_id)
    days = chosen_days(request)
    figures = stats.figures(account.pk, stats.last_days(days))
    context = {
        **admin.site.each_context(request),
        "title": gettext("Dashboard of %(account)s") % {"account": account},
        "account": account,
        "opts": Account._meta,
        "form": PeriodForm({"days": days}),
        "figures": figures,
        "daily_chart": daily_chart(figures),
        "share_chart": share_chart(figures),
        "unmatched": [(item, answer_url(account, item.text)) for item in figures.unmatched],
    }
    return TemplateResponse(request, TEMPLATE, context)


def chosen_days(request: HttpRequest) -> int:
    """The period the form asked for; a value it does not offer gets the default, and says so."""
    if "days" not in request.GET:
        return stats.DEFAULT_DAYS
    form = PeriodForm(request.GET)
    if form.is_valid():
        days: int = form.cleaned_data["days"]
        return days
    shown = request.GET["days"][:SHOWN_BAD_VALUE]
    offered = ", ".join(map(str, stats.PERIOD_DAYS))
    message = gettext(
        "“%(shown)s” is not a period this page offers (%(offered)s days): "
        "showing the last %(days)d days."
    )
    messages.warning(
        request, message % {"shown": shown, "offered": offered, "days": stats.DEFAULT_DAYS}
    )
    return stats.DEFAULT_DAYS


def daily_chart(figures: stats.Figures) -> SafeString:
    """Messages per day as bars, every day of the period (quiet days as empty bars)."""
    period = figures.period
    title = gettext("Messages per day, %(first)s to %(last)s: %(total)d in all") % {
        "first": period.first,
        "last": period.last,
        "total": figures.total,
    }
    points = [(day.strftime("%m-%d"), count) for day, count in figures.per_day]
    return charts.bar_chart(points, title=title)


def share_chart(figures: stats.Figures) -> SafeString:
    """The period's messages as one bar split by status, in the table's colours."""
    parts = [charts.Part(share.label, share.count, share.status) for share in figures.statuses]
    title = gettext("How the period's messages were answered")
    return charts.stacked_bar(parts, title=title)


def answer_url(account: Account, text: str) -> str:
    """The admin's add-rule page for a text rule answering this question: the question as
    its name and as an exact keyword (a rule without one would answer every message before
    the default rule). A question too long for a keyword is matched by its beginning."""
    mode = KeywordMode.EXACT if len(text) <= KEYWORD_LENGTH else KeywordMode.CONTAINS
    return places.add_url(
        {
            "account": account.pk,
            "name": text[:RULE_NAME_LENGTH],
            "msg_type": MsgType.TEXT,
            "keyword": text[:KEYWORD_LENGTH],
            "keyword_mode": mode,
        }
    )
