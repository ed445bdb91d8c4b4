"""The media library in the admin: upload material, see it with thumbnails and media ids,
and pick it in the reply editor (a datalist beside the field: typing stays possible)."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from autoreply.admin.scoping import ScopedAdmin
from autoreply.choices import MediaType
from autoreply.models import Account, Media, Reply
from autoreply.outbound import media, tokens
from wechat.errors import ApiError

SHOWN_AS_IMAGES = (MediaType.IMAGE, MediaType.THUMB)


class MediaUploadForm(forms.ModelForm):
    """Checks the file against WeChat's limits, then uploads it while validating, so
    WeChat's refusal shows on the form and nothing is stored without a media id."""

    class Meta:
        model = Media
        fields = ["account", "type", "file", "title", "introduction"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "type" in self.fields:  # the upload form; a stored item's page shows it read-only
            self.fields["type"].required = False
            self.fields["type"].help_text = _("Leave empty to tell by the file's extension.")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload, account = data.get("file"), data.get("account")
        if not upload or not account or self.errors:
            return data
        kind = data.get("type") or media.guess_type(upload.name)
        try:
            material = media.send(
                account,
                kind,
                upload.name,
                upload.read(),
                data.get("title", ""),
                data.get("introduction", ""),
            )
        except (ApiError, tokens.NoAppSecret) as exc:
            raise ValidationError(
                _("WeChat refused the upload: %(why)s"), params={"why": exc}
            ) from None
        upload.seek(0)
        self.instance.type, data["type"] = kind, kind
        self.instance.media_id, self.instance.url = material.media_id, material.url
        return data


@admin.register(Media)
class MediaAdmin(ScopedAdmin):
    form = MediaUploadForm
    list_display = ["preview", "title", "type", "media_id", "account", "uploaded_at"]
    list_filter = ["account", "type"]
    search_fields = ["title", "media_id"]
    readonly_fields = ["preview", "media_id", "url", "uploaded_at"]

    def get_readonly_fields(self, request: HttpRequest, obj: Media | None = None) -> Any:
        if obj is None:
            return []  # the upload form
        return [*self.readonly_fields, "account", "type", "file", "title", "introduction"]

    def get_urls(self) -> list[Any]:
        file_view = self.admin_site.admin_view(self.file_view)
        return [path("<int:pk>/file/", file_view, name="autoreply_media_file"), *super().get_urls()]

    def file_view(self, request: HttpRequest, pk: int) -> FileResponse:
        """Our copy of the file, for the thumbnails: staff only, never public."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        item = get_object_or_404(self.get_queryset(request), pk=pk)
        return FileResponse(item.file.open("rb"), filename=item.file.name.rsplit("/", 1)[-1])

    @admin.display(description=_("preview"))
    def preview(self, item: Media) -> str:
        url = reverse("admin:autoreply_media_file", args=[item.pk])
        if item.type in SHOWN_AS_IMAGES:
            return format_html('<img src="{}" alt="" style="max-height:64px;max-width:96px">', url)
        return format_html('<a href="{}">{}</a>', url, item.get_type_display())


class MediaPicker(forms.TextInput):
    """A text field with the library's media ids offered as suggestions (a datalist)."""

    def __init__(
        self,
        types: tuple[str, ...],
        attrs: dict[str, Any] | None = None,
        accounts: "QuerySet[Account] | None" = None,
    ) -> None:
        super().__init__(attrs)
        self.types, self.accounts = types, accounts

    def scoped_to(self, accounts: "QuerySet[Account]") -> "MediaPicker":
        """The same picker offering only these accounts' media (autoreply/admin/scoping.py)."""
        return MediaPicker(self.types, self.attrs, accounts)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        list_id = f"{(attrs or {}).get('id', name)}-media"
        html = super().render(name, value, {**(attrs or {}), "list": list_id}, renderer)
        choices = Media.objects.filter(type__in=self.types).select_related("account")
        if self.accounts is not None:
            choices = choices.filter(account__in=self.accounts)
        options = format_html_join(
            "",
            '<option value="{}">{} · {} · {}</option>',
            ((m.media_id, m.account.slug, m.get_type_display(), m) for m in choices),
        )
        return format_html('{}<datalist id="{}">{}</datalist>', html, list_id, options)


class ReplyMediaForm(forms.ModelForm):
    """The reply editor's form: media ids picked from the library (autoreply/admin/rules.py)."""

    class Meta:
        model = Reply
        fields = ["type", "order", "content", "media_id", "title", "thumb_media_id"]
        fields += ["description", "music_url", "hq_music_url", "kf_account"]
        widgets = {
            "media_id": MediaPicker((MediaType.IMAGE, MediaType.VOICE, MediaType.VIDEO)),
            "thumb_media_id": MediaPicker((MediaType.THUMB, MediaType.IMAGE)),
        }
