"""Every row of DESIGN.md's HTTP table, through the real WSGI app and a real PostgreSQL.

Each refusal also asserts that nothing was stored.
"""

import time

import pytest

from autoreply.models import Follower, Message
from tests.wechat_client import payload, signed_query, text
from wechat.signature import AUTH_PARAMETERS, sign


def nothing_stored() -> bool:
    return not Message.objects.exists() and not Follower.objects.exists()


def test_url_verification_echoes_echostr(wechat, client):
    query = signed_query("spamtest", echostr="5837397520823407616")
    response = wechat.get(query)
    assert response.status_code == 200
    assert response.content == b"5837397520823407616"
    assert response["Content-Type"].startswith("text/plain")


def test_url_verification_without_trailing_slash(wechat):
    response = wechat.get(signed_query("spamtest", echostr="abc"), url="/wechat/demo")
    assert (response.status_code, response.content) == (200, b"abc")


@pytest.mark.parametrize(
    "change",
    [
        {"signature": "0" * 40},
        {"signature": ""},
        {"timestamp": str(int(time.time()) - 3600)},
        {"timestamp": str(int(time.time()) + 3600)},
        {"timestamp": "1" * 11},
        {"nonce": "not a nonce!"},
    ],
    ids=["wrong", "empty", "too-old", "too-new", "eleven-digits", "bad-nonce"],
)
def test_url_verification_refused(wechat, change):
    query = {**signed_query("spamtest", echostr="abc"), **change}
    if "timestamp" in change or "nonce" in change:  # validly signed, so only the shape is wrong
        query["signature"] = sign("spamtest", query["timestamp"], query["nonce"])
    assert wechat.get(query).status_code == 403


def test_url_verification_without_signature(wechat):
    query = signed_query("spamtest", echostr="abc")
    del query["signature"]
    assert wechat.get(query).status_code == 403


def test_plain_post_answers_reply_xml(wechat):
    response = wechat.post(text("help"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert b"<MsgType><![CDATA[text]]></MsgType>" in response.content


def test_plain_post_without_trailing_slash(wechat):
    response = wechat.post(text("help"), url="/wechat/demo")
    assert response.status_code == 200
    assert b"Try:" in response.content


def test_unmatched_post_answers_success(wechat, demo):
    demo.rules.filter(name="default").update(enabled=False)
    response = wechat.post(text("nothing matches this"))
    assert (response.status_code, response.content) == (200, b"success")
    assert response["Content-Type"].startswith("text/plain")
    assert Message.objects.get().status == "no_rule"


def test_encrypted_post_answers_encrypted_envelope(wechat):
    response = wechat.post_encrypted(text("help"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml; charset=utf-8"
    assert b"<Encrypt>" in response.content and b"Try:" not in response.content
    assert b"Try:" in wechat.decrypt(response)


def test_unknown_slug_is_404(wechat, db):
    response = wechat.post(text("help"), url="/wechat/nobody/")
    assert response.status_code == 404
    assert nothing_stored()


def test_get_unknown_slug_is_404(wechat):
    response = wechat.get(signed_query("spamtest", echostr="x"), url="/wechat/nobody/")
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "HEAD"])
def test_other_methods_are_405(wechat, method):
    assert wechat.request(method).status_code == 405


def test_the_django_routed_view_answers_like_the_fast_lane(wechat, client):
    """runserver and Django's test client reach the same service through the URLconf."""
    from urllib.parse import urlencode

    response = client.post(
        f"/wechat/demo?{urlencode(signed_query('spamtest'))}", text("help"), content_type="text/xml"
    )
    assert response.status_code == 200 and b"Try:" in response.content
    bad = client.post(
        f"/wechat/demo/?{urlencode({'signature': 'x'})}", text("help"), content_type="text/xml"
    )
    assert bad.status_code == 403


AUTH_FAILURES = {
    "missing signature": lambda q: q.pop("signature"),
    "wrong signature": lambda q: q.update(signature="f" * 40),
    "missing timestamp": lambda q: q.pop("timestamp"),
    "missing nonce": lambda q: q.pop("nonce"),
    "old timestamp": lambda q: q.update(timestamp=str(int(time.time()) - 3600)),
    "future timestamp": lambda q: q.update(timestamp=str(int(time.time()) + 3600)),
    "nine-digit timestamp": lambda q: q.update(timestamp="171403705"),
    "nonce with a dash": lambda q: q.update(nonce="abc-123"),
    "non-ascii nonce": lambda q: q.update(nonce="abc１２３"),
}


@pytest.mark.parametrize("name", AUTH_FAILURES)
def test_post_authentication_failures_are_403(wechat, name):
    query = signed_query("spamtest")
    AUTH_FAILURES[name](query)
    if "signature" in query and name not in ("wrong signature",):
        # re-sign so that only the shape or window of timestamp/nonce is at fault
        query["signature"] = sign("spamtest", query.get("timestamp", ""), query.get("nonce", ""))
    response = wechat.post(text("help"), query=query)
    assert response.status_code == 403
    assert nothing_stored()


def test_shifted_timestamp_and_nonce_with_the_same_signature_is_403(wechat, settings):
    """sign() joins without a separator: moving a digit from timestamp to nonce keeps the
    signature, so only the pinned shapes (10 digits, alphanumeric) stop a forgery."""
    settings.WECHAT_TIMESTAMP_TOLERANCE = 0
    query = signed_query("spamtest", timestamp="1795337693", nonce="9abc")
    shifted = {**query, "timestamp": "179533769", "nonce": "39abc"}
    assert sign("spamtest", shifted["timestamp"], shifted["nonce"]) == query["signature"]
    assert wechat.post(text("help"), query=query).status_code == 200
    assert wechat.post(text("help"), query=shifted).status_code == 403


def test_bad_msg_signature_is_403(wechat):
    from wechat.crypto import MessageCrypto
    from wechat.xmlwriter import write_xml

    encrypt = MessageCrypto(wechat.account.encoding_aes_key, wechat.account.app_id).encrypt(
        text("help")
    )
    query = signed_query("spamtest", encrypt_type="aes", msg_signature="0" * 40)
    response = wechat.post(write_xml({"ToUserName": "gh", "Encrypt": encrypt}), query=query)
    assert response.status_code == 403
    assert nothing_stored()


def test_wrong_app_id_is_403(wechat):
    response = wechat.post_encrypted(text("help"), app_id="wx0000000000000000")
    assert response.status_code == 403
    assert nothing_stored()


def test_plaintext_push_to_safe_account_is_403(wechat, demo):
    demo.encryption_mode = "safe"
    demo.save()
    assert wechat.post(text("help")).status_code == 403
    assert nothing_stored()
    assert wechat.post_encrypted(text("help")).status_code == 200


def test_undecryptable_ciphertext_is_400(wechat):
    from wechat.xmlwriter import write_xml

    encrypt = "A" * 64  # valid base64, right length, garbage inside
    query = signed_query("spamtest", encrypt_type="aes")
    query["msg_signature"] = sign("spamtest", query["timestamp"], query["nonce"], encrypt)
    response = wechat.post(write_xml({"ToUserName": "gh", "Encrypt": encrypt}), query=query)
    assert response.status_code == 400
    assert nothing_stored()


@pytest.mark.parametrize(
    "body",
    [
        b"<xml><ToUserName>unterminated",
        b"not xml at all",
        b"",
        payload("hostile__entity_expansion.xml"),
        payload("hostile__external_entity.xml"),
        b"<xml><ToUserName><![CDATA[gh]]></ToUserName><FromUserName><![CDATA[o]]></FromUserName>"
        b"<CreateTime>1</CreateTime></xml>",
    ],
    ids=["malformed", "not-xml", "empty", "billion-laughs", "external-entity", "no-msgtype"],
)
def test_bad_xml_is_400(wechat, body):
    response = wechat.post(body)
    assert response.status_code == 400
    assert nothing_stored()


def test_body_over_the_limit_is_413(wechat, settings):
    settings.WECHAT_MAX_BODY_BYTES = 1000
    response = wechat.post(text("x" * 2000))
    assert response.status_code == 413
    assert nothing_stored()


def test_default_body_limit_is_above_djangos_own(wechat, settings):
    """A body between Django's DATA_UPLOAD_MAX_MEMORY_SIZE and ours is still accepted."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = wechat.post(text("营" * 1000))
    assert response.status_code == 200


def test_timestamp_window_can_be_switched_off(wechat, settings):
    settings.WECHAT_TIMESTAMP_TOLERANCE = 0
    query = signed_query("spamtest", timestamp="1409735669")
    assert wechat.post(text("help"), query=query).status_code == 200


def test_healthz(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "migrations": "ok", "spool": 0, "worker": None}
    assert client.head("/healthz").status_code == 200


def unreachable_database(monkeypatch) -> None:
    from django.db import connections

    from autoreply.webhook import health

    default = connections["default"]
    unreachable = type(default)({**default.settings_dict, "PORT": "1"}, "default")
    monkeypatch.setattr(health, "connections", {"default": unreachable})  # port 1: nobody


def test_healthz_is_200_while_the_database_is_down_and_the_spool_takes_pushes(
    client, monkeypatch, db
):
    client.get("/healthz")  # the migrations were seen once
    unreachable_database(monkeypatch)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "down"


def test_healthz_is_503_when_the_database_is_down_and_the_spool_unwritable(
    client, monkeypatch, settings, tmp_path, db
):
    client.get("/healthz")
    unreachable_database(monkeypatch)
    (tmp_path / "a-file").write_text("")
    settings.AUTOREPLY_SPOOL_DIR = str(tmp_path / "a-file" / "spool")  # cannot be a folder
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_healthz_is_503_while_migrations_are_pending(client, db):
    from django.db import connection

    with connection.cursor() as cursor:  # undone with the test's transaction
        cursor.execute("DELETE FROM django_migrations WHERE app = 'autoreply'")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["migrations"] == "pending"


@pytest.mark.parametrize("name", sorted(AUTH_PARAMETERS))
def test_an_authentication_parameter_given_twice_is_403(wechat, name):
    query = signed_query("spamtest", echostr="abc")
    twice = [(name, query[name])] if name in query else [(name, "aes"), (name, "aes")]
    pairs = [*query.items(), *twice]  # even the same value twice
    assert wechat.post(text("help"), query=pairs).status_code == 403
    assert wechat.get(pairs).status_code == 403
    assert nothing_stored()


def test_a_repeated_signature_with_one_good_copy_is_403(wechat):
    """?signature=bad&signature=good: a proxy may read the first, we must not read the last."""
    query = signed_query("spamtest")
    pairs = [("signature", "0" * 40), *query.items()]
    assert wechat.post(text("help"), query=pairs).status_code == 403
    assert nothing_stored()


def test_a_repeated_parameter_is_403_through_the_django_view_too(wechat, client):
    from urllib.parse import urlencode

    pairs = [*signed_query("spamtest").items(), ("nonce", "other1")]
    response = client.post(f"/wechat/demo/?{urlencode(pairs)}", text("help"), "text/xml")
    assert response.status_code == 403
    assert nothing_stored()


def test_other_parameters_may_repeat(wechat):
    pairs = [*signed_query("spamtest").items(), ("openid", "o1"), ("openid", "o2")]
    assert wechat.post(text("help"), query=pairs).status_code == 200


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_an_unauthenticated_call_while_the_database_is_down_says_nothing_inside(
    wechat, monkeypatch, method
):
    """DESIGN: error bodies say what was wrong with the request, never what failed inside."""
    from django.db import connections

    from autoreply.webhook import registry, service

    default = connections["default"]
    # A real connection to where nothing listens (port 1), under an alias of its own.
    down = type(default)({**default.settings_dict, "PORT": "1"}, "default")
    monkeypatch.setattr(connections._connections, "down", down, raising=False)
    monkeypatch.setattr(registry, "webhook_database", lambda: "down")
    monkeypatch.setattr(service, "registry", registry.Registry())  # nothing loaded yet
    response = wechat.request(method)
    assert response.status_code == 503
    assert response.content == b"the service is unavailable for a moment; WeChat will retry\n"


def test_a_refusal_names_what_was_wrong_with_the_request(wechat):
    response = wechat.post(text("help"), query={**signed_query("spamtest"), "signature": "0"})
    assert response.status_code == 403
    assert b"signature does not match" in response.content
