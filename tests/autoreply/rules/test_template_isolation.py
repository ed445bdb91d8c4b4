"""An operator's template can read the message, never change what is stored: Django
templates call zero-argument callables (`{{ msg.clear }}`), so they render against data
that has none that mutate."""

import pytest

from autoreply.lookups import tables
from autoreply.models import Message
from tests.factories import rule
from tests.wechat_client import inbound, text

MUTATORS = [
    "{{ msg.clear }}{{ msg.popitem }}{{ match.clear }}{{ match.popitem }}",
    "{% for k in msg.keys %}{{ k }}{% endfor %}{{ msg.items }}{{ msg.copy.clear }}",
    "{{ msg.SendPicsInfo.PicList.clear }}{{ msg.SendPicsInfo.clear }}{{ msg.ScanCodeInfo.clear }}",
]


def stored(from_user: str) -> Message:
    return Message.objects.get(from_user=from_user)


@pytest.mark.parametrize("template", MUTATORS)
def test_a_template_calling_mutators_leaves_the_stored_message_as_received(bot, acme, template):
    rule(acme, "mutate", replies=(template + "ok {{ content }}",), msg_type="text")
    reply = bot.ask(text("hello there", from_user="oMutate", MsgId=4242))
    assert reply.content.endswith("ok hello there")
    row = stored("oMutate")
    assert (row.text, row.msg_id) == ("hello there", 4242)
    assert row.fields["Content"] == "hello there" and row.fields["MsgId"] == 4242


def test_nested_fields_survive_a_template_that_tries_to_clear_them(bot, acme):
    rule(
        acme,
        "pics",
        replies=(MUTATORS[2] + "{{ msg.SendPicsInfo.Count }}",),
        msg_type="event",
        event="pic_sysphoto",
    )
    pics = {"Count": 1, "PicList": [{"item": {"PicMd5Sum": "abc"}}]}
    push = inbound(
        "event", from_user="oPics", Event="pic_sysphoto", EventKey="k", SendPicsInfo=pics
    )
    assert bot.ask(push).content == "1"
    assert stored("oPics").fields["SendPicsInfo"]["Count"] == 1
    assert stored("oPics").fields["SendPicsInfo"]["PicList"]


def test_every_documented_variable_still_renders(bot, acme):
    tables.store(acme, "where", {"18-546": ("18-546", "hall 3")}, replace=True)
    template = (
        "{{ content }}|{{ openid }}|{{ match.0 }}|{{ match.1 }}|{{ match.code }}|"
        "{{ match.1|lookup:'where' }}|{{ msg.MsgType }}|{{ msg.MsgId }}|{{ msg.Content }}|"
        "{{ msg|length }}"
    )
    rule(acme, "all", keywords=(("regex", r"^\?(?P<code>\d+-\d+)$"),), replies=(template,))
    reply = bot.ask(text("?18-546", from_user="oVars", MsgId=7))
    assert reply.content == "?18-546|oVars|?18-546|18-546|18-546|hall 3|text|7|?18-546|6"


def test_location_fields_render(bot, acme):
    rule(
        acme,
        "where",
        replies=("{{ msg.Location_X }},{{ msg.Location_Y }} {{ msg.Label }}",),
        msg_type="location",
    )
    push = inbound(
        "location",
        from_user="oLoc",
        Location_X="23.134521",
        Location_Y="113.358803",
        Scale=20,
        Label="Guangzhou",
    )
    assert bot.ask(push).content == "23.134521,113.358803 Guangzhou"
