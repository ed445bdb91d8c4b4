"""Fields out of WeChat's shape are refused at parse time with 400 and a reason (DESIGN's
HTTP table): nothing stored, nothing else affected, and the body says which field."""

import pytest

from autoreply.models import Account, Follower, Message
from tests.wechat_client import payload, text

SHAPES = {
    "not_wechat__fromusername_too_long.xml": b"<FromUserName>",
    "not_wechat__tousername_not_an_id.xml": b"<ToUserName>",
    "not_wechat__createtime_twenty_digits.xml": b"<CreateTime>",
    "not_wechat__msgtype_too_long.xml": b"<MsgType>",
    "not_wechat__event_too_long.xml": b"<Event>",
    "not_wechat__event_without_event.xml": b"<Event>",
    "not_wechat__location_endless.xml": b"<Location_X>",
    "not_wechat__msgid_too_large.xml": b"<MsgId>",
}


def nothing_stored() -> bool:
    return not Message.objects.exists() and not Follower.objects.exists()


@pytest.mark.parametrize("name", SHAPES)
def test_an_out_of_shape_field_is_400_with_its_name(bot, name):
    response = bot.post(payload(name))
    assert response.status_code == 400
    assert SHAPES[name] in response.content
    assert nothing_stored()


@pytest.mark.parametrize("name", SHAPES)
def test_an_out_of_shape_field_is_400_when_encrypted_too(bot, name):
    response = bot.post_encrypted(payload(name))
    assert response.status_code == 400
    assert SHAPES[name] in response.content
    assert nothing_stored()


def test_a_refused_push_affects_nothing_else(bot, acme):
    """The same follower's next, well-formed push is answered and stored as usual."""
    assert bot.post(payload("not_wechat__location_endless.xml")).status_code == 400
    assert Account.objects.get(pk=acme.pk).original_id == ""  # not learned from it
    assert bot.post(text("hi", from_user="oyORnuP8q7ou2gfYjqLzSIWZf0rs")).status_code == 200
    assert Message.objects.get().text == "hi"


def test_a_long_tousername_on_an_account_without_original_id_is_400_not_503(bot, acme):
    assert acme.original_id == ""
    response = bot.post(text("hi", to_user="gh_" + "a" * 62))
    assert response.status_code == 400
    assert b"<ToUserName>" in response.content
    assert Account.objects.get(pk=acme.pk).original_id == ""
    assert nothing_stored()


@pytest.mark.parametrize(
    "fields",
    [
        {"from_user": "o" * 64},
        {"to_user": "gh_" + "f" * 61},
        {"create_time": 9_999_999_999},
        {"Location_X": "1" * 300 + ".5"},
    ],
    ids=["64-char-openid", "64-char-original-id", "ten-digit-createtime", "long-finite-number"],
)
def test_the_largest_shapes_wechat_allows_are_stored(bot, acme, fields):
    from tests.wechat_client import inbound

    location = "Location_X" in fields
    body = inbound("location" if location else "text", **({"Content": "hi"} | fields))
    response = bot.post(body)
    assert response.status_code == 200, response.content
    assert Message.objects.count() == 1
