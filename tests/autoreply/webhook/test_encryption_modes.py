"""Plain, compatible and safe mode, with WeChat's official sample push and key rotation."""

from autoreply.models import Message
from tests.factories import DEMO_KEY, text_rule
from tests.wechat_client import signed_query, text
from wechat.xmlwriter import write_xml

NEW_KEY = "ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210zyxwvut"


def test_official_python_sample_push_decrypts_and_is_answered(wechat, vectors, settings):
    settings.WECHAT_TIMESTAMP_TOLERANCE = 0  # the sample is from 2014
    v = vectors["decrypt_python_sample"]
    query = signed_query(
        v["token"],
        timestamp=v["timestamp"],
        nonce=v["nonce"],
        encrypt_type="aes",
        msg_signature=v["msg_signature"],
    )
    body = write_xml({"ToUserName": "gh_10f6c3c3ac5a", "Encrypt": v["encrypt"]})
    response = wechat.post(body, query=query)
    assert response.status_code == 200
    assert b"did not understand" in wechat.decrypt(response)  # the demo's default rule
    row = Message.objects.get()
    assert row.raw_xml == v["plaintext"]
    assert (row.text, int(row.msg_id), row.from_user) == (
        "abcdteT",
        6054768590064713728,
        "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
    )


def test_compatible_mode_trusts_only_the_encrypted_copy(wechat):
    from wechat.crypto import MessageCrypto
    from wechat.signature import sign

    encrypt = MessageCrypto(DEMO_KEY, wechat.account.app_id).encrypt(text("help", MsgId=1))
    query = signed_query("spamtest", encrypt_type="aes")
    query["msg_signature"] = sign("spamtest", query["timestamp"], query["nonce"], encrypt)
    body = write_xml(
        {
            "ToUserName": "gh",
            "FromUserName": "oEvil",
            "CreateTime": 1,
            "MsgType": "text",
            "Content": "人工",
            "MsgId": 2,
            "Encrypt": encrypt,
        }
    )
    response = wechat.post(body, query=query)
    assert b"Try:" in wechat.decrypt(response)
    row = Message.objects.get()
    assert (row.text, int(row.msg_id), row.from_user) == ("help", 1, "oFollower1")


def test_plain_account_refuses_encrypted_pushes(bot, acme):
    acme.encryption_mode = "plain"
    acme.save()
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    assert b"hello" in bot.post(text("hi")).content
    assert bot.post_encrypted(text("hi")).status_code == 403


def test_safe_account_answers_encrypted_pushes_only(bot, acme):
    acme.encryption_mode = "safe"
    acme.save()
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    assert bot.post(text("hi")).status_code == 403
    assert b"hello" in bot.decrypt(bot.post_encrypted(text("hi")))


def test_previous_key_is_tried_and_the_reply_uses_the_key_that_worked(bot, acme):
    acme.encoding_aes_key, acme.previous_encoding_aes_key = NEW_KEY, DEMO_KEY
    acme.save()
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    old = bot.post_encrypted(text("hi"), key=DEMO_KEY)
    assert old.status_code == 200 and b"hello" in bot.decrypt(old, key=DEMO_KEY)
    new = bot.post_encrypted(text("hi"), key=NEW_KEY)
    assert new.status_code == 200 and b"hello" in bot.decrypt(new, key=NEW_KEY)


def test_a_key_that_is_neither_current_nor_previous_is_refused(bot, acme):
    acme.encoding_aes_key = NEW_KEY
    acme.save()
    response = bot.post_encrypted(text("hi"), key=DEMO_KEY)
    assert response.status_code == 400
    assert not Message.objects.exists()
