"""Each type is declared once (wechat.replies.REPLY_KINDS, autoreply.rules.fields) and
the models, the loader and the rules file agree with the declarations."""

import dataclasses

import pytest

from autoreply.choices import ReplyType
from autoreply.models import Article, Keyword, Reply, Rule
from autoreply.rules import fields, loading
from autoreply.rules.matching import RuleSpec
from wechat.replies import ARTICLE_FIELDS, REPLY_KINDS

MODELS = {"Rule": Rule, "Keyword": Keyword, "Reply": Reply, "Article": Article}


def model_fields(model: type) -> set[str]:
    return {field.name for field in model._meta.get_fields() if field.concrete}


@pytest.mark.parametrize("name", MODELS)
def test_every_model_field_is_declared_or_internal(name):
    declared, internal = set(fields.DECLARED_FIELDS[name]), set(fields.INTERNAL_FIELDS[name])
    unaccounted = model_fields(MODELS[name]) - declared - internal
    assert not unaccounted, (
        f"{name} has {sorted(unaccounted)}: declare them (autoreply/rules/fields.py, or "
        "wechat/replies.py for reply and article fields) or list them in INTERNAL_FIELDS"
    )
    assert not declared & internal


@pytest.mark.parametrize("name", MODELS)
def test_every_declared_field_is_a_model_field(name):
    missing = set(fields.DECLARED_FIELDS[name]) - model_fields(MODELS[name])
    assert not missing, f"{name} lacks the declared {sorted(missing)}: add them and a migration"


def test_each_reply_type_and_the_reply_model_agree():
    reply_columns = model_fields(Reply)
    for name, kind in REPLY_KINDS.items():
        assert set(kind.field_names) <= reply_columns, name
        assert kind.name == name
    assert {value for value, _ in Reply._meta.get_field("type").choices} == set(REPLY_KINDS)
    assert {field.name for field in ARTICLE_FIELDS} <= model_fields(Article)


def test_reply_type_choices_are_the_declared_kinds():
    assert ReplyType.values == list(REPLY_KINDS)
    assert ReplyType.TRANSFER_CUSTOMER_SERVICE == "transfer_customer_service"
    assert dict(ReplyType.choices)["news"] == REPLY_KINDS["news"].label


def test_loading_reads_every_field_rule_spec_has():
    spec_fields = {field.name for field in dataclasses.fields(RuleSpec)}
    assert set(loading.RULE_COLUMNS) == spec_fields - set(loading.SPEC_PARTS)
    assert set(loading.RULE_COLUMNS) <= {"id", *fields.RULE_COLUMNS}


def test_rule_defaults_are_the_contracts_and_fresh_each_time():
    first, second = fields.rule_defaults(), fields.rule_defaults()
    assert first == {
        "name": "",
        "priority": 0,
        "enabled": True,
        "msg_type": "any",
        "event": "",
        "event_key": "",
        "keywords": [],
        "reply_mode": "random",
        "cooldown_seconds": 0,
        "active_from": None,
        "active_until": None,
        "schedule": [],
        "requires_context": "",  # as stored: the rules file writes it null
        "sets_context": None,
        "clears_context": False,
        "replies": [],
    }
    first["keywords"].append("x")
    assert second["keywords"] == []
    first["schedule"].append("x")
    assert second["schedule"] == []
    for field in fields.RULE_FIELDS:
        value = first[field.name]
        assert isinstance(value, field.json_type) or (field.nullable and value is None), field.name


def test_admin_fieldsets_show_every_rule_column_once():
    shown = [name for _, options in fields.fieldsets() for name in options["fields"]]
    assert sorted(shown) == sorted(["account", *fields.RULE_COLUMNS])
