"""The rule editor's weekly schedule: a small table of days and hours, one row per entry
and a few blank rows to add more, saved as the rule's list of {"days", "from", "to"}.
Blank rows are dropped; everything else is checked by the model (autoreply/validation.py),
so the editor and the rules file refuse the same entries with the same words."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from autoreply.rules.schedule import ENTRY_KEYS

BLANK_ROWS = 3
HELP = _(
    "The rule answers only inside one of these rows (none: at any hour), by the time the "
    "follower sent the message. Days: mon, tue, wed, thu, fri, sat, sun, with ranges and "
    "commas (mon-fri, sat,sun); hours HH:MM. A “to” before “from” runs past midnight: "
    "fri 22:00 to 02:00 is Friday night. Leave a row blank to drop it."
)


class ScheduleWidget(forms.Widget):
    template_name = "admin/autoreply/rule/schedule_widget.html"

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        entries = value if isinstance(value, list) else []
        rows = [
            [(key, str(entry.get(key, ""))) for key in ENTRY_KEYS]
            for entry in entries
            if isinstance(entry, dict)
        ]
        rows += [[(key, "") for key in ENTRY_KEYS] for _row in range(BLANK_ROWS)]
        context["widget"]["rows"] = rows
        context["widget"]["headings"] = [
            pgettext_lazy("schedule", "days"),
            pgettext_lazy("schedule", "from"),
            pgettext_lazy("schedule", "to"),
        ]
        return context

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[dict[str, str]]:
        columns = [data.getlist(f"{name}-{key}") for key in ENTRY_KEYS]
        rows = [
            {key: cell.strip() for key, cell in zip(ENTRY_KEYS, cells, strict=True)}
            for cells in zip(*columns, strict=False)
        ]
        return [row for row in rows if any(row.values())]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False  # no rows posted is a value: no schedule


class ScheduleField(forms.Field):
    """The schedule as a list of rows; the model's validation names what is wrong."""

    widget = ScheduleWidget

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("help_text", HELP)
        super().__init__(required=False, **kwargs)

    def to_python(self, value: Any) -> list[dict[str, str]]:
        return list(value or [])

    def has_changed(self, initial: Any, data: Any) -> bool:
        return list(initial or []) != list(data or [])
