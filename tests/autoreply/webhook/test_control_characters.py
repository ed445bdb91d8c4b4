"""C0 control characters that followers type reach us unescaped (DESIGN: the C0 paragraph):
removed before parsing, plain or encrypted, and the message is answered and stored."""

import pytest

from autoreply.models import Message
from tests.factories import DEMO_KEY, account, text_rule
from tests.gunicorn_server import gunicorn, post
from tests.wechat_client import payload, signed_query
from wechat.crypto import MessageCrypto
from wechat.signature import sign
from wechat.xmlwriter import write_xml

BODY = payload("text__control_characters.xml")
SAID = " c and bell"  # what the follower typed, without the controls


@pytest.fixture
def echo(acme):
    text_rule(acme, "echo", "you said [{{ content }}]")
    return acme


def answered_and_stored(reply: bytes) -> None:
    assert f"you said [{SAID}]".encode() in reply
    row = Message.objects.get()
    assert (row.text, row.status, int(row.msg_id)) == (SAID, "reply", 6054768590064713740)
    assert row.raw_xml.encode() == BODY  # stored as received


def test_a_plaintext_push_with_control_characters_is_answered_and_stored(bot, echo):
    response = bot.post(BODY)
    assert response.status_code == 200, response.content
    answered_and_stored(response.content)


def test_an_encrypted_push_with_control_characters_is_answered_and_stored(bot, echo):
    response = bot.post_encrypted(BODY)
    assert response.status_code == 200, response.content
    answered_and_stored(bot.decrypt(response))


def test_the_plaintext_copy_of_a_compatible_push_does_not_stop_decryption(bot, echo):
    """In compatible mode WeChat sends the plaintext fields beside <Encrypt>, controls too."""
    encrypt = MessageCrypto(DEMO_KEY, echo.app_id).encrypt(BODY)
    query = signed_query("spamtest", encrypt_type="aes")
    query["msg_signature"] = sign("spamtest", query["timestamp"], query["nonce"], encrypt)
    envelope = BODY.replace(b"</xml>", write_xml({"Encrypt": encrypt})[len(b"<xml>") :])
    assert b"\x1d" in envelope and b"<Encrypt>" in envelope
    response = bot.post(envelope, query=query)
    assert response.status_code == 200, response.content
    answered_and_stored(bot.decrypt(response))


@pytest.mark.django_db(transaction=True)
def test_control_characters_through_gunicorn():
    from urllib.parse import urlencode

    text_rule(account("acme"), "echo", "you said [{{ content }}]")
    with gunicorn(workers=1) as base:
        url = f"{base}/wechat/acme/?{urlencode(signed_query('spamtest'))}"
        status, content = post(url, BODY)
    assert status == 200, content
    answered_and_stored(content)
