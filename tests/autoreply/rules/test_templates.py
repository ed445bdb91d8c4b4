"""Reply templates: every string field of every reply type renders through the webhook;
what must not compile is refused on save and on import, naming the field; render-time
failures answer `success` and are logged; lookups read the account's tables."""

import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from autoreply.lookups import tables
from autoreply.models import Article, LookupEntry, Message, Reply, Rule
from tests.factories import DEMO_KEY, rule
from tests.wechat_client import inbound, text
from wechat import replies
from wechat.replies import REPLY_KINDS

ARTICLE_FIELDS = [field.name for field in replies.ARTICLE_FIELDS]
REPLY_FIELDS = {
    name: [(field.name, field.required) for field in kind.fields]
    for name, kind in REPLY_KINDS.items()
}

SENDER, SAID = "oTemplate7", "Hello"
PUSH = {"from_user": SENDER}  # every push here comes from this follower
REGEX = (("regex", r"^(?P<word>\w+)$"),)  # match.word, match.1 and match.0: the whole text
CLASSES = {
    "text": replies.TextReply,
    "image": replies.ImageReply,
    "voice": replies.VoiceReply,
    "video": replies.VideoReply,
    "music": replies.MusicReply,
    "transfer_customer_service": replies.TransferCustomerServiceReply,
}


def field_template(name: str) -> str:
    """A template that draws on every context variable, different for every field."""
    return name + "={{ openid }}/{{ match.word }}/{{ match.1|lower }}/{{ msg.MsgType }}"


def field_value(name: str) -> str:
    return f"{name}={SENDER}/{SAID}/{SAID.lower()}/text"


def every_field(kind: str) -> tuple[dict, replies.Reply]:
    """A reply of `kind` whose every string field is a template, and what it renders to."""
    if kind == "news":
        article = {name: field_template(name) for name in ARTICLE_FIELDS}
        rendered = replies.Article(**{name: field_value(name) for name in ARTICLE_FIELDS})
        return {"type": "news", "articles": [article]}, replies.NewsReply((rendered,))
    names = [name for name, _ in REPLY_FIELDS[kind]]
    data = {"type": kind, **{name: field_template(name) for name in names}}
    return data, CLASSES[kind](**{name: field_value(name) for name in names})


@pytest.mark.parametrize("kind", REPLY_FIELDS)
def test_every_string_field_of_every_reply_type_is_a_template(bot, acme, kind):
    data, expected = every_field(kind)
    rule(acme, kind, keywords=REGEX, replies=(data,))
    assert bot.say(SAID, **PUSH) == expected


@pytest.mark.parametrize("kind", REPLY_FIELDS)
def test_every_field_renders_in_encrypted_replies_too(bot, acme, kind):
    data, expected = every_field(kind)
    rule(acme, kind, keywords=REGEX, replies=(data,))
    answer = bot.decrypt(bot.post_encrypted(text(SAID, **PUSH)))
    assert replies.parse_reply(answer) == expected


def test_media_id_is_the_incoming_messages(bot, acme):
    answer = "got {{ media_id }} at {{ msg.PicUrl }}"
    rule(acme, "pic", msg_type="image", replies=({"type": "text", "content": answer},))
    push = inbound("image", PicUrl="http://mmbiz/p.jpg", MediaId="M_42")
    assert bot.ask(push) == replies.TextReply("got M_42 at http://mmbiz/p.jpg")


def test_autoescaping_is_off(bot, acme):
    rule(acme, "raw", replies=("<i>&amp;</i> {{ content }} {{ msg.Content }}",))
    assert bot.say("<b>&") == replies.TextReply("<i>&amp;</i> <b>& <b>&")


BAD_TEMPLATES = {
    "does not compile": "{% if %}yes{% endif %}",
    "unknown filter": "{{ content|no_such_filter }}",
    "unclosed tag": "{% for x in content %}",
    "include": "{% include 'admin/base.html' %}",
    "extends": "{% extends 'admin/base.html' %}",
    "load of a library": "{% load static %}",
    "bare load": "{% load %}",
    "debug": "{% debug %}",
    "ssi": "{% ssi '/etc/passwd' %}",
}
# One string field of each reply type (and of an article): each is checked the same way.
FIELDS = [
    ("text", "content"),
    ("image", "media_id"),
    ("voice", "media_id"),
    ("video", "description"),
    ("music", "hq_music_url"),
    ("transfer_customer_service", "kf_account"),
]


def valid_reply(kind: str) -> dict[str, str]:
    required = {name: "x" for name, needed in REPLY_FIELDS[kind] if needed}
    return {"type": kind, **required}


@pytest.mark.parametrize("source", BAD_TEMPLATES.values(), ids=BAD_TEMPLATES)
def test_bad_templates_are_refused_on_save_naming_the_field(acme, source):
    parent = Rule.objects.create(account=acme, name="r")
    for kind, field in FIELDS:
        reply = Reply(rule=parent, **{**valid_reply(kind), field: source})
        with pytest.raises(ValidationError) as refused:
            reply.full_clean()
        assert list(refused.value.message_dict) == [field]
        assert refused.value.error_dict[field][0].code == "bad_template"
    news = Reply.objects.create(rule=parent, type="news")
    for field in ARTICLE_FIELDS:
        article = Article(reply=news, **{"title": "t", field: source})
        with pytest.raises(ValidationError) as refused:
            article.full_clean()
        assert list(refused.value.message_dict) == [field]


@pytest.mark.parametrize("source", BAD_TEMPLATES.values(), ids=BAD_TEMPLATES)
def test_bad_templates_are_refused_on_import_naming_the_field(db, tmp_path, source):
    document = {
        "accounts": [
            {
                "slug": "acme",
                "name": "Acme",
                "app_id": "wx2c2769f8efd9abc2",
                "token": "spamtest",
                "encoding_aes_key": DEMO_KEY,
                "rules": [
                    {"name": "r", "replies": [{"type": "video", "media_id": "V", "title": source}]}
                ],
            }
        ]
    }
    path = tmp_path / "rules.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("import_rules", str(path), stdout=io.StringIO())
    assert "account 'acme', rule 'r', replies[0], title:" in str(refused.value)
    assert not Rule.objects.exists()


@pytest.mark.parametrize("way", ["plain", "encrypted"])
def test_a_template_failing_at_render_time_answers_success_and_is_logged(bot, acme, way):
    rule(
        acme,
        "unpack",
        keywords=(("exact", "boom"),),
        replies=("{% for a, b in content %}{{ a }}{% endfor %}",),
    )
    rule(acme, "fine", keywords=(("exact", "fine"),), replies=("still here",))
    push = text("boom")
    response = bot.post(push) if way == "plain" else bot.post_encrypted(push)
    assert (response.status_code, response.content) == (200, b"success")
    row = Message.objects.get()
    assert row.status == "error" and row.rule.name == "unpack"
    assert "unpack" in row.error and row.reply == ""
    assert bot.say("fine") == replies.TextReply("still here")


WORKPIECE = (("regex", r"^[?？]\s*(\S+)$"),)


def test_lookup_of_a_missing_table_or_key_gives_nothing(bot, acme):
    tables.store(acme, "parts", {"a-1": ("A-1", "shelf 3")}, replace=False)
    rule(
        acme,
        "find",
        keywords=WORKPIECE,
        replies=('[{{ match.1|lookup:"parts" }}][{{ match.1|lookup:"nosuch" }}]',),
    )
    assert bot.say("?a-1") == replies.TextReply("[shelf 3][]")
    assert bot.say("?a-2") == replies.TextReply("[][]")


def test_lookup_keys_compare_normalised(bot, acme):
    tables.store(
        acme,
        "parts",
        tables.normalized_entries([("ab-1", "lower"), ("ＣＤ-２", "full-width")], "test"),
        replace=False,
    )
    rule(acme, "find", keywords=WORKPIECE, replies=('{{ match.1|lookup:"parts" }}',))
    assert bot.say("?ＡＢ-1") == replies.TextReply("lower")
    assert bot.say("? Ab-1") == replies.TextReply("lower")
    assert bot.say("?cd-2") == replies.TextReply("full-width")


def test_a_lookup_change_reaches_the_webhook_on_the_next_request(bot, acme):
    tables.store(acme, "parts", {"p-1": ("P-1", "old place")}, replace=False)
    rule(
        acme,
        "find",
        keywords=WORKPIECE,
        replies=('{{ match.1|lookup:"parts"|default:"unknown" }}',),
    )
    assert bot.say("?p-1") == replies.TextReply("old place")
    LookupEntry.objects.filter(key="P-1").update(value="new place")  # no save(): triggers only
    assert bot.say("?p-1") == replies.TextReply("new place")
    LookupEntry.objects.create(table=LookupEntry.objects.get().table, key="P-2", value="added")
    assert bot.say("?p-2") == replies.TextReply("added")
    LookupEntry.objects.filter(key="P-1").delete()
    assert bot.say("?p-1") == replies.TextReply("unknown")
