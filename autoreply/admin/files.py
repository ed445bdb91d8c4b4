"""Files from the browser: upload a rules file, a FAQ or lookup spreadsheet or the
platform's export into an account, see what it would change, confirm it; download an
account's rules. The importing is `autoreply.files`', the same as the commands'.
"""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from autoreply.admin import scoping
from autoreply.admin.file_forms import AccountForm, UploadForm
from autoreply.errors import ImportRefused
from autoreply.files import pending
from autoreply.files.rules_export import export_rules
from autoreply.files.uploads import KINDS, Outcome
from autoreply.models import Account, PendingUpload

RULES = "autoreply.change_rule"
# What opening each upload page needs; what a file changes may need more (`_missing`).
OPENING = {
    "rules": (RULES,),
    "faq": (RULES,),
    "platform": (RULES,),
    "lookup": (RULES, "autoreply.change_lookupentry"),
}
SHOWN = 100  # names listed per kind of change; a 2,000-row FAQ is summed up past that


def _accounts_for(request: HttpRequest) -> QuerySet[Account]:
    """The accounts this user may import into and export (admin/scoping.py decides)."""
    return scoping.accounts_for(request.user)


def _account_for(request: HttpRequest, pk: Any) -> Account:
    """The account `pk`, if this user may use it; else 404, as for a missing one."""
    account = _accounts_for(request).filter(pk=pk).first() if str(pk).isdigit() else None
    if account is None:
        raise Http404(gettext("No such account."))
    return account


def urls(model_admin: Any) -> list[URLPattern]:
    """The pages, under the rule admin (as the try-a-message page is)."""
    site = model_admin.admin_site

    def view(function: Any) -> Any:
        return site.admin_view(lambda request, **kw: function(model_admin, request, **kw))

    return [
        path("files/import/<str:kind>/", view(import_view), name="autoreply_rule_import"),
        path("files/pending/<uuid:token>/", view(pending_view), name="autoreply_rule_pending"),
        path("files/export/", view(export_view), name="autoreply_rule_export"),
    ]


def import_view(model_admin: Any, request: HttpRequest, kind: str) -> HttpResponse:
    """The upload form; a valid upload is kept and its preview shown, a refused one's
    problems are listed and nothing is kept."""
    if kind not in KINDS:
        raise Http404(gettext("No such kind of file."))
    _require(request, OPENING[kind])
    form = UploadForm(
        kind,
        _accounts_for(request),
        request.POST or None,
        request.FILES or None,
        initial={"account": request.GET.get("account")},
    )
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        account = _account_for(request, form.cleaned_data["account"].pk)
        try:
            kept, outcome = pending.keep(request.user, account, kind, form.upload(), form.options())
        except ImportRefused as exc:
            problems = exc.problems
        else:
            problems = _missing(request, kind, outcome)
            if not problems:
                return HttpResponseRedirect(reverse("admin:autoreply_rule_pending", args=[kept.pk]))
            kept.delete()
    context = {"form": form, "problems": problems, "kind": kind, "title": KINDS[kind].title}
    return _page(model_admin, request, "upload.html", context)


def pending_view(model_admin: Any, request: HttpRequest, token: UUID) -> HttpResponse:
    """GET: what the kept upload would change, with a confirm button. POST: apply it."""
    kept = pending.find(request.user, token)
    if kept is None:
        raise Http404(gettext("This upload has expired or was applied; upload the file again."))
    account = _account_for(request, kept.account_id)
    _require(request, OPENING[kept.kind])
    outcome, problems = pending.outcome(kept), []
    if request.method == "POST":
        problems = _missing(request, kept.kind, outcome)
        if not problems:
            try:
                outcome, applied = pending.confirm(kept)
            except ImportRefused as exc:
                problems = exc.problems
            else:
                if applied:
                    return _applied(request, kept, account, outcome)
                messages.warning(request, STALE)
    context = {"kept": kept, "account": account, "outcome": outcome, "problems": problems}
    settings = [getattr(Account._meta.get_field(n), "verbose_name", n) for n in outcome.settings]
    context |= {"title": KINDS[kept.kind].title, "lists": _lists(outcome), "settings": settings}
    return _page(model_admin, request, "preview.html", context)


STALE = _(
    "The rules or tables changed since this preview; nothing was applied. Here is what the "
    "file would change now: confirm again to apply it."
)


def export_view(model_admin: Any, request: HttpRequest) -> HttpResponse:
    """`?account=ID`: the account's rules file (as `export_rules --account`, without
    secrets) to download; without it, a form to choose the account."""
    _require(request, ("autoreply.view_rule",))
    form = AccountForm(_accounts_for(request), request.GET or None)
    if not form.is_valid():
        context = {"form": form, "title": gettext("Export rules")}
        return _page(model_admin, request, "export.html", context)
    account = _account_for(request, form.cleaned_data["account"].pk)
    response = HttpResponse(
        export_rules([account.slug]), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="rules-{account.slug}.json"'
    return response


def _require(request: HttpRequest, permissions: tuple[str, ...]) -> None:
    if not request.user.has_perms(permissions):
        raise PermissionDenied


def _missing(request: HttpRequest, kind: str, outcome: Outcome) -> list[str]:
    """A problem line when applying would make a change this user may not make."""
    lookups = outcome.lookups.values()
    changes = {
        "autoreply.add_rule": outcome.created,
        "autoreply.change_rule": outcome.changed,
        "autoreply.delete_rule": outcome.removed,
        "autoreply.change_account": outcome.settings,
        "autoreply.add_lookupentry": any(c.added for c in lookups),
        "autoreply.change_lookupentry": any(c.changed for c in lookups),
        "autoreply.delete_lookupentry": any(c.removed for c in lookups),
    }
    needed = {*OPENING[kind], *(permission for permission, made in changes.items() if made)}
    lacking = sorted(p for p in needed if not request.user.has_perm(p))
    if not lacking:
        return []
    message = gettext("You may not make every change this file makes (lacking: %(lacking)s).")
    return [message % {"lacking": ", ".join(lacking)}]


def _applied(
    request: HttpRequest, kept: PendingUpload, account: Account, outcome: Outcome
) -> HttpResponse:
    """Say what was imported, on the list where it shows."""
    messages.success(request, _summary(kept, account, outcome))
    lookup = kept.kind == "lookup"
    url = reverse(f"admin:autoreply_{'lookuptable' if lookup else 'rule'}_changelist")
    return HttpResponseRedirect(f"{url}?account__id__exact={account.pk}")


def _summary(kept: PendingUpload, account: Account, outcome: Outcome) -> str:
    names: dict[str, Any] = {"file": kept.name, "account": account.name}
    if kept.kind == "lookup":
        table, counts = next(iter(outcome.lookups.items()))
        message = gettext(
            "Imported %(file)s into the lookup table %(table)s of %(account)s: %(added)d "
            "entries added, %(changed)d changed, %(removed)d removed."
        )
        return message % {**names, "table": table, **vars(counts)}
    message = gettext(
        "Imported %(file)s into %(account)s: %(created)d rules added, %(changed)d "
        "changed, %(removed)d removed."
    )
    names |= {key: len(getattr(outcome, key)) for key in ("created", "changed", "removed")}
    return message % names


def _lists(outcome: Outcome) -> list[tuple[str, Any, int, list[str], int]]:
    """(element id, heading, count, the names shown, how many more) of the rules added,
    changed and removed."""
    lists = [
        ("rules-added", _("Rules added"), outcome.created),
        ("rules-changed", _("Rules changed"), outcome.changed),
        ("rules-removed", _("Rules removed"), outcome.removed),
    ]
    return [(i, heading, len(n), n[:SHOWN], max(0, len(n) - SHOWN)) for i, heading, n in lists]


def _page(
    model_admin: Any, request: HttpRequest, template: str, extra: dict[str, Any]
) -> HttpResponse:
    context = {**model_admin.admin_site.each_context(request), "opts": model_admin.model._meta}
    context |= extra
    return TemplateResponse(request, f"admin/autoreply/files/{template}", context)
