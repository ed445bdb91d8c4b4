"""The rule editor's conversation fields: the conversation a rule answers in (chosen from
those the account's rules use, or a new name), and the one it starts, as a name and a
lifetime in seconds rather than JSON. Checked by the model (autoreply/validation.py), so
the editor and the rules file refuse the same things with the same words."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from autoreply.rules.conversations import NAME_LENGTH


class DatalistInput(forms.TextInput):
    """A text input suggesting known values, any other still allowed."""

    template_name = "admin/autoreply/rule/datalist_widget.html"

    def __init__(self, options: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.options = options or []

    def get_context(self, name: str, value: Any, attrs: Any) -> dict[str, Any]:
        context = super().get_context(name, value, {**(attrs or {}), "list": f"{name}-known"})
        context["widget"]["options"] = self.options
        return context


class ContextChangeWidget(forms.MultiWidget):
    template_name = "admin/autoreply/rule/context_change_widget.html"

    def __init__(self, options: list[str] | None = None) -> None:
        seconds = forms.NumberInput(attrs={"min": 1, "placeholder": "300", "size": 8})
        super().__init__([DatalistInput(options, attrs={"size": 20}), seconds])

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dict):
            return [value.get("name", ""), value.get("seconds")]
        return ["", None]


class ContextChangeField(forms.MultiValueField):
    """`{"name", "seconds"}`, or None when both are empty; a half-filled pair is kept as
    given, for the model to say what is missing."""

    def __init__(self, options: list[str] | None = None, **kwargs: Any) -> None:
        fields = (
            forms.CharField(max_length=NAME_LENGTH, required=False),
            forms.IntegerField(required=False),
        )
        kwargs.setdefault(
            "help_text",
            _(
                "Name and seconds: when this rule answers, the follower is in this "
                "conversation for that long, e.g. workpiece for 300 seconds."
            ),
        )
        super().__init__(
            fields,
            required=False,
            require_all_fields=False,
            widget=ContextChangeWidget(options),
            **kwargs,
        )

    def compress(self, data_list: list[Any]) -> dict[str, Any] | None:
        name, seconds = (*data_list, "", None)[:2]
        name = (name or "").strip()
        if not name and seconds is None:
            return None
        return {key: value for key, value in (("name", name), ("seconds", seconds)) if value}
