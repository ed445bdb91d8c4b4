"""The demo can be edited in the admin, and the webhook answers the edit at once."""

from django.contrib.auth.models import User

from autoreply.models import Rule
from tests.wechat_client import text


def test_editing_a_rule_in_the_admin_changes_the_answer(wechat, client):
    User.objects.create_superuser("admin", password="pw")
    client.login(username="admin", password="pw")
    rule = Rule.objects.get(name="help")
    assert client.get(f"/admin/autoreply/rule/{rule.pk}/change/").status_code == 200
    assert client.get("/admin/autoreply/message/").status_code == 200
    reply = rule.replies.get()
    rule.replies.filter(pk=reply.pk).update(content="edited in the admin")
    assert b"edited in the admin" in wechat.post(text("help")).content
