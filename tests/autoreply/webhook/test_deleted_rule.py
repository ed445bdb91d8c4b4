"""A rule deleted while workers still answer with it (until their next refresh, and for
a whole rebuild after it): the pushes it answers meanwhile are stored like any other,
and the message log reads them as answered by no rule."""

import pytest
from django.urls import reverse

from autoreply.models import Message, Rule
from autoreply.webhook import spool
from tests.factories import text_rule
from tests.wechat_client import text


@pytest.mark.django_db(transaction=True)  # the row's references were checked as it committed
def test_a_push_answered_by_a_rule_deleted_meanwhile_is_stored(bot, acme, settings, operator):
    hi = text_rule(acme, "hi", "hello", ("exact", "hi"))
    assert b"hello" in bot.post(text("hi", from_user="oFirst")).content
    settings.AUTOREPLY_REFRESH_SECONDS = 3600  # this worker has not looked again yet
    Rule.objects.get(pk=hi.pk).delete()

    answer = bot.post(text("hi", from_user="oMeanwhile"))
    assert b"hello" in answer.content  # the rules this worker has loaded answer
    assert spool.depth() == 0
    rows = {row.from_user: row for row in Message.objects.all()}
    assert set(rows) == {"oFirst", "oMeanwhile"}
    assert rows["oFirst"].rule_id is None  # set so by the deletion
    meanwhile = rows["oMeanwhile"]
    assert (meanwhile.status, meanwhile.rule_id, meanwhile.reply) == (
        "reply",
        hi.pk,
        answer.content.decode(),
    )
    assert meanwhile.answering_rule is None

    page = operator.get(reverse("admin:autoreply_message_change", args=[meanwhile.pk]))
    assert page.status_code == 200
    assert reverse("admin:autoreply_rule_change", args=[hi.pk]) not in page.content.decode()
    assert operator.get(reverse("admin:autoreply_message_changelist")).status_code == 200
