"""The event field of a rule: WeChat's documented events offered (a datalist, from
wechat.registry's one list), any other value still typed by hand."""

from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext

from wechat.registry import EVENTS


class EventPicker(forms.TextInput):
    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"class": "vTextField", **(attrs or {})})

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        list_id = f"{(attrs or {}).get('id', name)}-events"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        options = format_html_join(
            "",
            '<option value="{}">{}</option>',
            ((kind.event, gettext(kind.label)) for kind in EVENTS),
        )
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)
