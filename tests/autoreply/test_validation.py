"""Model validation (`full_clean`), which the admin and the importer share: each refusal
names its field and carries a code."""

import pytest
from django.core.exceptions import ValidationError

from autoreply.models import Account, Keyword, LookupEntry, Reply, Rule
from autoreply.validation import check_rule_parts, reply_warnings
from tests.factories import DEMO_KEY


def errors_of(instance, **kwargs) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        instance.full_clean(**kwargs)
    return error.value.message_dict


def codes_of(instance, **kwargs) -> set[str]:
    with pytest.raises(ValidationError) as error:
        instance.full_clean(**kwargs)
    return {e.code for errors in error.value.error_dict.values() for e in errors}


def account(**fields) -> Account:
    defaults = {
        "slug": "x",
        "name": "X",
        "app_id": "wx2c2769f8efd9abc2",
        "token": "tok",
        "encoding_aes_key": DEMO_KEY,
    }
    return Account(**{**defaults, **fields})


def test_account_fields(db):
    assert "app_id" in errors_of(account(app_id="not-an-appid"))
    assert "token" in errors_of(account(token="a b"))
    assert codes_of(account(encoding_aes_key="short")) == {"bad_aes_key"}
    assert codes_of(account(encoding_aes_key="")) == {"aes_key_required"}
    account(encoding_aes_key="", encryption_mode="plain").full_clean()  # plain needs no key


def test_rule_event_fields(db):
    acme = account()
    acme.save()
    assert codes_of(Rule(account=acme, name="e", msg_type="event")) == {"no_event"}
    assert codes_of(Rule(account=acme, name="t", msg_type="text", event="CLICK")) == {
        "event_on_message_rule"
    }
    Rule(account=acme, name="ok", msg_type="event", event="CLICK", event_key="K").full_clean()


def test_keyword_fields():
    assert codes_of(Keyword(mode="regex", pattern="[unclosed"), exclude=["rule"]) == {"bad_regex"}
    assert codes_of(Keyword(mode="exact", pattern="　 "), exclude=["rule"]) == {"empty_keyword"}


def test_reply_fields():
    assert errors_of(Reply(type="image"), exclude=["rule"]) == {
        "media_id": ["An image reply needs a media ID."]
    }
    assert codes_of(Reply(type="music", title="t"), exclude=["rule"]) == {"reply_field_missing"}
    assert codes_of(Reply(type="text", content="{% load static %}"), exclude=["rule"]) == {
        "bad_template"
    }
    assert codes_of(Reply(type="text", content="{% debug %}"), exclude=["rule"]) == {"bad_template"}


def test_rule_parts():
    event_rule = Rule(msg_type="event", event="subscribe")
    message_rule = Rule(msg_type="text")
    news = Reply(type="news")
    with pytest.raises(ValidationError, match="9 articles"):
        check_rule_parts(event_rule, [], [news], [9])
    check_rule_parts(event_rule, [], [news], [8])
    with pytest.raises(ValidationError, match="only 1"):
        check_rule_parts(message_rule, [], [news], [2])
    with pytest.raises(ValidationError, match="never events"):
        check_rule_parts(event_rule, [], [Reply(type="transfer_customer_service")], [0])
    with pytest.raises(ValidationError, match="Keywords only match text"):
        check_rule_parts(Rule(msg_type="image"), [Keyword(mode="exact", pattern="x")], [], [])


def test_long_text_is_a_warning_not_an_error():
    long = Reply(type="text", content="字" * 700)  # 2,100 bytes of UTF-8
    long.full_clean(exclude=["rule"])
    assert "2100 bytes" in reply_warnings(long)[0]
    assert reply_warnings(Reply(type="text", content="字" * 682)) == []  # 2,046 bytes


def test_lookup_keys_are_normalised_on_save(db):
    from autoreply.models import LookupTable

    acme = account()
    acme.save()
    table = LookupTable.objects.create(account=acme, name="t")
    entry = LookupEntry.objects.create(table=table, key=" ＡＢ-1 ", value="v")
    assert entry.normalized_key == "ab-1"
    assert codes_of(LookupEntry(table=table, key=" ", value="v")) == {"empty_key"}
