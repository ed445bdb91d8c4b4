"""The forms of the file pages: the account, the file, and each kind's own options (the
command line's flags, as fields)."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autoreply.choices import KeywordMode
from autoreply.files.faq import MODES
from autoreply.files.pending import MAX_BYTES
from autoreply.files.sources import Upload
from autoreply.models import Account

SPREADSHEET = _(
    "CSV (comma, tab or semicolon; UTF-8 or GB18030) or an Excel workbook (.xlsx, its "
    "first sheet); a header row is optional."
)
HELP = {
    "rules": _(
        "A rules file (JSON) as “Export rules” writes it, holding this account only. "
        "Rules are matched by name; all or nothing."
    ),
    "faq": _(
        "Question and answer in the first two columns, one rule “FAQ: question” per row. {format}"
    ),
    "lookup": _("Key and value in the first two columns. {format}"),
    "platform": _("The JSON that WeChat's {api} API answers for this account."),
}


def _replace(label: Any) -> Callable[[], dict[str, forms.Field]]:
    return lambda: {"replace": forms.BooleanField(required=False, label=label)}


def _faq_options() -> dict[str, forms.Field]:
    choices = [(mode, KeywordMode(mode).label) for mode in MODES]
    mode = forms.ChoiceField(
        choices=choices,
        initial=MODES[0],
        required=False,  # left out: exact, as on the command line
        label=_("match mode"),
        help_text=_("How a follower's text must match the question."),
    )
    return {"mode": mode}


def _lookup_options() -> dict[str, forms.Field]:
    table = forms.CharField(
        max_length=64,
        label=_("lookup table"),
        help_text=_(
            'Its name, as in {{ match.1|lookup:"workpieces" }}; a new name creates the table.'
        ),
    )
    replace = forms.BooleanField(
        required=False, label=_("Also remove the keys the file does not have")
    )
    return {"table": table, "replace": replace}


OPTIONS: dict[str, Callable[[], dict[str, forms.Field]]] = {
    "rules": _replace(_("Also remove the rules and lookup tables the file does not have")),
    "faq": _faq_options,
    "lookup": _lookup_options,
    "platform": dict,
}


class AccountForm(forms.Form):
    account = forms.ModelChoiceField(Account.objects.none(), label=_("account"))

    def __init__(self, accounts: QuerySet[Account], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["account"].queryset = accounts  # type: ignore[attr-defined]


class UploadForm(AccountForm):
    file = forms.FileField(label=_("file"))

    def __init__(self, kind: str, accounts: QuerySet[Account], *args: Any, **kwargs: Any):
        super().__init__(accounts, *args, **kwargs)
        api = format_html("<code>{}</code>", "get_current_autoreply_info")
        self.fields["file"].help_text = format_html(str(HELP[kind]), format=SPREADSHEET, api=api)
        self.fields.update(OPTIONS[kind]())

    def clean_file(self) -> Any:
        file = self.cleaned_data["file"]
        if file.size > MAX_BYTES:
            message = gettext("The file is %(size)s; files up to %(limit)s can be uploaded.")
            sizes = {"size": filesizeformat(file.size), "limit": filesizeformat(MAX_BYTES)}
            raise ValidationError(message % sizes, code="too_large")
        return file

    def upload(self) -> Upload:
        file = self.cleaned_data["file"]
        return Upload(file.name, file.read())

    def options(self) -> dict[str, Any]:
        """The kind's options, as `autoreply.files.uploads` reads them."""
        return {k: v for k, v in self.cleaned_data.items() if k not in ("account", "file")}
