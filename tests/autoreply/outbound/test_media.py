"""The media library: WeChat's limits checked first, uploads recorded, shown and picked."""

import io

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from autoreply.models import Media
from autoreply.outbound import media
from tests.factories import account, rule

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def acme(db):
    return account("acme", app_secret="s3cret")


@pytest.fixture
def operator(client, db):
    client.force_login(User.objects.create_superuser("admin", password="pw"))
    return client


def test_an_image_is_uploaded_kept_and_listed(standin, acme, media_root):
    item = media.upload(acme, "image", "logo.png", PNG, title="logo")
    assert item.media_id and item.url.startswith("http://")
    assert (media_root / item.file.name).read_bytes() == PNG
    (record,) = standin.server.state.materials
    assert (record["media_id"], record["type"], record["size"]) == (item.media_id, "image", 72)


@pytest.mark.parametrize(
    ("kind", "name", "size", "code"),
    [
        ("thumb", "t.jpg", 64 * 1024 + 1, "media_too_large"),
        ("image", "big.png", 10 * 1024 * 1024 + 1, "media_too_large"),
        ("voice", "v.mp3", 2 * 1024 * 1024 + 1, "media_too_large"),
        ("video", "clip.avi", 10, "media_format"),
        ("thumb", "t.png", 10, "media_format"),
        ("image", "a.tiff", 10, "media_format"),
    ],
)
def test_what_wechat_would_refuse_is_refused_before_uploading(
    standin, acme, kind, name, size, code
):
    with pytest.raises(ValidationError) as caught:
        media.upload(acme, kind, name, b"\x00" * size, title="t")
    assert caught.value.code == code
    assert name in caught.value.messages[0]
    assert standin.server.state.materials == []
    assert not Media.objects.exists()


def test_upload_media_prints_the_media_id_and_sends_a_videos_description(standin, acme, tmp_path):
    clip = tmp_path / "opening.mp4"
    clip.write_bytes(b"\x00" * 100)
    out = io.StringIO()
    call_command(
        "upload_media",
        "--account",
        "acme",
        str(clip),
        "--title",
        "开业",
        "--introduction",
        "三楼活动室",
        stdout=out,
    )
    item = Media.objects.get()
    assert out.getvalue().strip() == item.media_id
    assert item.type == "video"
    (record,) = standin.server.state.materials
    assert record["description"] == {"title": "开业", "introduction": "三楼活动室"}


def test_upload_media_says_what_is_wrong(standin, acme, tmp_path):
    clip = tmp_path / "opening.mp4"
    clip.write_bytes(b"\x00")
    with pytest.raises(CommandError, match="needs a title"):
        call_command("upload_media", "--account", "acme", str(clip))
    with pytest.raises(CommandError, match="no account"):
        call_command("upload_media", "--account", "nope", str(clip))
    nosecret = account("plain")
    with pytest.raises(CommandError, match="no AppSecret"):
        call_command("upload_media", "--account", nosecret.slug, str(clip), "--title", "t")


def test_the_admin_uploads_lists_with_thumbnails_and_serves_the_file(standin, acme, operator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    add = reverse("admin:autoreply_media_add")
    upload = SimpleUploadedFile("logo.png", PNG, content_type="image/png")
    response = operator.post(add, {"account": acme.pk, "type": "", "file": upload, "title": "logo"})
    assert response.status_code == 302, response.content.decode()[-2000:]
    item = Media.objects.get()
    assert item.type == "image"
    listing = operator.get(reverse("admin:autoreply_media_changelist")).content.decode()
    thumbnail = reverse("admin:autoreply_media_file", args=[item.pk])
    assert f'<img src="{thumbnail}"' in listing
    assert item.media_id in listing
    served = operator.get(thumbnail)
    assert b"".join(served.streaming_content) == PNG


def test_the_admin_shows_wechats_refusal_on_the_form(standin, acme, operator):
    from django.core.files.uploadedfile import SimpleUploadedFile

    big = SimpleUploadedFile("t.jpg", b"\x00" * (65 * 1024), content_type="image/jpeg")
    response = operator.post(
        reverse("admin:autoreply_media_add"), {"account": acme.pk, "type": "thumb", "file": big}
    )
    assert response.status_code == 200
    assert "at most 64 KB" in response.content.decode()
    assert not Media.objects.exists()


def test_the_reply_editor_offers_the_librarys_media_ids(standin, acme, operator):
    item = media.upload(acme, "image", "logo.png", PNG, title="logo")
    picture = rule(acme, "picture", replies=({"type": "image", "media_id": "{{ media_id }}"},))
    page = operator.get(reverse("admin:autoreply_rule_change", args=[picture.pk])).content.decode()
    assert f'<option value="{item.media_id}">acme · ' in page
    assert 'list="id_replies-0-media_id-media"' in page
    assert 'value="{{ media_id }}"' in page  # a typed template stays as typed
