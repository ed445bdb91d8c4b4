"""The "try a message" page: which rule would answer, why, what the follower's phone
shows, and the exact reply XML."""

from datetime import datetime
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.timezone import get_default_timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autoreply.admin import bubbles, scoping
from autoreply.admin.conversation import DatalistInput
from autoreply.admin.events import EventPicker
from autoreply.choices import MsgType, Status
from autoreply.models import Account
from autoreply.rules.conversation_names import context_names
from autoreply.rules.trial import KINDS, Attempt, Trial, reason, try_message
from wechat.registry import known_event
from wechat.replies import parse_reply

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
        required=False,
        label=_("event"),
        help_text=_("For events: subscribe, CLICK, SCAN…"),
        widget=EventPicker(),
    )
    event_key = forms.CharField(required=False, label=_("EventKey"))
    media_id = forms.CharField(required=False, label=_("MediaId (image, voice)"))
    at = forms.DateTimeField(
        required=False,
        label=_("sent at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Empty: now. Rules with hours or dates answer as they would at this time."),
    )
    context = forms.CharField(
        required=False,
        label=_("in the conversation"),
        widget=DatalistInput(),
        help_text=_(
            "Empty: the follower is in no conversation. Rules only in a conversation answer "
            "as they would for a follower in this one."
        ),
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
    form.fields["context"].widget.options = context_names(scoping.accounts_for(request.user))
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": gettext("Try a message"),
        "form": form,
    }
    if request.GET.get("kind") and form.is_valid():
        data = form.cleaned_data
        attempt = Attempt(
            data["kind"],
            data["text"],
            data["event"],
            data["event_key"],
            data["media_id"],
            data["at"],
            data["context"],
        )
        context.update(_outcome(data["account"], try_message(data["account"], attempt)))
    return TemplateResponse(request, "admin/autoreply/rule/try.html", context)


def _outcome(account: Account, trial: Trial) -> dict[str, Any]:
    return {
        "trial": trial,
        "reasons": [(hit, reason(hit)) for hit in trial.candidates],
        "status": Status(trial.decision.status).label if trial.decision else "",
        "sent_at": _sent_at(trial.message.create_time),
        "bubbles": _bubbles(account, trial),
        "follower_said": _follower_said(trial),
        "change": trial.decision.change if trial.decision else None,
    }


def _bubbles(account: Account, trial: Trial) -> list[bubbles.Bubble]:
    reply = trial.decision.reply if trial.decision else b""
    answer = parse_reply(reply) if reply else None
    return bubbles.bubbles(account.pk, answer, trial.follow_ups)


def _follower_said(trial: Trial) -> str:
    """The message tried, as the follower's side of the chat shows it."""
    message = trial.message
    if message.text:
        return message.text
    if message.is_event:
        kind = known_event(message.event)
        label = gettext(kind.label) if kind else message.event
        return gettext("(event: %(label)s)") % {"label": label}
    return gettext("(%(type)s message)") % {"type": MsgType(message.msg_type).label}


def _sent_at(create_time: int) -> datetime:
    """The trial's CreateTime as the webhook judges it: in DJANGO_TIME_ZONE."""
    return datetime.fromtimestamp(create_time, get_default_timezone())
