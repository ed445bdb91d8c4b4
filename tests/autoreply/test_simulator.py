"""wechat_send: playing WeChat's servers against a real gunicorn serving the demo account."""

import io
import time

import pytest
from django.core.management import CommandError, call_command

from autoreply.models import Message
from tests.factories import account, text_rule
from tests.gunicorn_server import free_port, gunicorn
from wechat import simulator
from wechat.replies import Article, MusicReply, NewsReply, TransferCustomerServiceReply


@pytest.fixture(scope="module")
def server(django_db_setup, django_db_blocker):
    """One gunicorn for the module, looking for account changes on every request: each test
    loads its accounts afresh."""
    with django_db_blocker.unblock(), gunicorn(workers=1, AUTOREPLY_REFRESH_SECONDS="0") as base:
        yield base


@pytest.fixture
def send(server, transactional_db, demo):
    def run(*args: str, verbosity: int = 1) -> str:
        out = io.StringIO()
        call_command(
            "wechat_send",
            "--account",
            "demo",
            "--url",
            server,
            *args,
            verbosity=verbosity,
            stdout=out,
        )
        return out.getvalue()

    return run


def test_text_gets_the_demo_help(send):
    out = send("help")
    assert out.startswith("200 OK — text reply:\n")
    assert "Try: “营业时间” or “hours”" in out


def test_encrypted_text_gets_the_help_decrypted(send):
    out = send("--encrypt", "help", verbosity=2)
    assert "200 OK — text reply:\nTry: “营业时间”" in out
    assert "<Encrypt><![CDATA[" in out  # the envelope sent and the one received
    assert "decrypted:\n<xml><ToUserName><![CDATA[o_simulator]]>" in out


def test_a_click_event_with_its_key_gets_music(send):
    out = send("--event", "CLICK", "--event-key", "V1001_TODAY_MUSIC")
    assert out.startswith("200 OK — music reply:\n")
    assert "  Title: Today's song\n" in out
    assert "  MusicUrl: https://example.com/song.mp3\n" in out


def test_an_image_gets_its_own_media_id_back(send):
    out = send("--image", "MEDIA_123")
    assert out == "200 OK — image reply:\n  MediaId: MEDIA_123\n"


def test_a_location_is_answered_with_its_label(send):
    out = send("--location", "23.13,113.26,Canton Tower")
    assert "You are at Canton Tower (23.13, 113.26)." in out


def test_a_voice_message_is_matched_by_its_recognition(send):
    out = send("--voice", "VOICE_1", "--recognition", "营业时间")
    assert "营业时间：周一至周六 9:00-18:00。" in out
    assert Message.objects.get().fields["Recognition"] == "营业时间"


def test_a_safe_mode_account_refuses_plaintext_and_says_what_to_add(send):
    vault = account("vault", encryption_mode="safe")
    text_rule(vault, "hi", "hello from the vault", ("exact", "hi"))
    with pytest.raises(CommandError, match=r"403 Forbidden(.|\n)*safe mode: add --encrypt"):
        send("--account", "vault", "hi")
    assert send("--account", "vault", "--encrypt", "hi").endswith("hello from the vault\n")


def test_news_lists_each_article(send):
    out = send("price")
    assert out.startswith("200 OK — news reply, 1 article(s):\n  1. Price list 价目表\n")
    assert "     https://example.com/prices\n" in out


def test_no_rule_is_success(send):
    assert send("--event", "unsubscribe") == "200 OK — success (no reply)\n"


def test_a_repeated_msg_id_is_a_retry(send):
    first = send("--msg-id", "424242", "--from", "o_retry", "hours")
    time.sleep(1.1)  # a retry repeats the first CreateTime, even a second later
    again = send("--msg-id", "424242", "--from", "o_retry", "hours")
    assert first == again
    assert "We open 9:00-18:00" in first
    row = Message.objects.get(msg_id=424242)
    assert (row.from_user, row.retries) == ("o_retry", 1)


def test_the_push_goes_to_the_simulated_gh_id_and_sender(send):
    send("hello there")
    row = Message.objects.get()
    assert (row.from_user, row.to_user, row.msg_type) == ("o_simulator", "gh_simulator", "text")


def test_unknown_account_is_refused(send, server):
    with pytest.raises(CommandError, match="no account with slug 'nope'"):
        call_command("wechat_send", "--account", "nope", "--url", server, "hi")


def test_a_server_that_is_not_running_says_how_to_start_it(demo):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(CommandError, match=r"nothing is listening at .*: start .* bin/serve"):
        call_command("wechat_send", "--account", "demo", "--url", url, "help")


def test_a_database_that_is_down_says_how_to_start_it(monkeypatch):
    from django.db import OperationalError

    from autoreply.models import Account

    def refuse(*args, **kwargs):
        raise OperationalError('connection to server at "127.0.0.1", port 54329 failed\n...')

    monkeypatch.setattr(Account.objects, "filter", refuse)
    with pytest.raises(CommandError, match=r"cannot reach the database .*port 54329.*bin/serve"):
        call_command("wechat_send", "--account", "demo", "help")


def test_a_non_200_answer_prints_status_and_body(send, server):
    with pytest.raises(CommandError, match="404 Not Found"):
        send("--url", f"{server}/not-here", "help")


def test_one_thing_at_a_time(demo):
    with pytest.raises(CommandError, match="send one thing"):
        call_command("wechat_send", "--account", "demo", "--image", "M1", "hello")
    with pytest.raises(CommandError, match="X,Y"):
        call_command("wechat_send", "--account", "demo", "--location", "north")


def test_describe_names_every_value():
    def lines(reply):
        exchange = simulator.Exchange("u", b"", b"", 200, "OK", b"<xml/>", b"<xml/>", reply)
        return simulator.describe(exchange)

    assert lines(TransferCustomerServiceReply()) == [
        "200 OK — transfer to customer service:",
        "  (any agent)",
    ]
    music = lines(MusicReply("THUMB", title="Song"))
    assert music == ["200 OK — music reply:", "  Title: Song", "  ThumbMediaId: THUMB"]
    news = lines(NewsReply((Article("A", "first", "http://p/1.jpg", "http://a/1"),)))
    assert news[1:] == ["  1. A", "     first", "     http://a/1", "     picture: http://p/1.jpg"]
