"""The "try a message" page: which rule would answer, why, and the exact reply XML."""

from datetime import datetime
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.timezone import get_default_timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autoreply.admin import scoping
from autoreply.choices import MsgType, Status
from autoreply.models import Account
from autoreply.rules.trial import KINDS, Attempt, reason, try_message

# The kinds of message a trial can send, named as the rule's message types are.
KIND_CHOICES = [(kind, MsgType(kind).label) for kind in KINDS]


class TrialForm(forms.Form):
    account = forms.ModelChoiceField(Account.objects.all(), label=_("account"))
    kind = forms.ChoiceField(choices=KIND_CHOICES, initial="text", label=_("message"))
    text = forms.CharField(
        required=False,
        label=_("text / recognised speech / label"),
        widget=forms.TextInput(attrs={"size": 50, "autofocus": True}),
    )
    event = forms.CharField(
        required=False, label=_("event"), help_text=_("For events: subscribe, CLICK, SCAN…")
    )
    event_key = forms.CharField(required=False, label=_("EventKey"))
    media_id = forms.CharField(required=False, label=_("MediaId (image, voice)"))
    at = forms.DateTimeField(
        required=False,
        label=_("sent at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: now. Rules with hours or dates answer as they would at this time."),
    )

    def clean(self):  # type: ignore[no-untyped-def]
        data = super().clean() or {}
        if data.get("kind") == "event" and not data.get("event"):
            self.add_error("event", gettext("Name the event to try, e.g. subscribe."))
        elif data.get("kind") in ("text", "voice") and not data.get("text"):
            self.add_error("text", gettext("Type what the follower says."))
        return data


def trial_view(model_admin: Any, request: HttpRequest) -> HttpResponse:
    """GET shows the form (prefilled from ?account=); submitting it shows the outcome."""
    form = TrialForm(request.GET or None, initial={"account": request.GET.get("account")})
    scoping.scope_form(form, request)  # the user's accounts only; another's: 404
    trial = None
    if request.GET.get("kind") and form.is_valid():
        data = form.cleaned_data
        attempt = Attempt(
            data["kind"],
            data["text"],
            data["event"],
            data["event_key"],
            data["media_id"],
            data["at"],
        )
        trial = try_message(data["account"], attempt)
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": gettext("Try a message"),
        "form": form,
        "trial": trial,
        "reasons": [(hit, reason(hit)) for hit in trial.candidates] if trial else [],
        "status": Status(trial.decision.status).label if trial and trial.decision else "",
        "sent_at": _sent_at(trial.message.create_time) if trial else None,
    }
    return TemplateResponse(request, "admin/autoreply/rule/try.html", context)


def _sent_at(create_time: int) -> datetime:
    """The trial's CreateTime as the webhook judges it: in DJANGO_TIME_ZONE."""
    return datetime.fromtimestamp(create_time, get_default_timezone())
