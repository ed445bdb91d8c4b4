"""When a worker loads an account's rules: before its first push, and while it reloads
them after an edit, the account's pushes are answered without waiting for the load."""

import gc
import threading
import weakref

import pytest
from django.db import DatabaseError, connections

from autoreply.rules import loading
from autoreply.webhook.registry import Registry
from tests.factories import account, text_rule


@pytest.mark.django_db(transaction=True)  # the rebuilding thread reads with its own connection
def test_while_one_thread_rebuilds_the_rules_the_others_answer_with_those_loaded(monkeypatch):
    acme = account("acme")
    text_rule(acme, "hi", "hello", ("exact", "hi"))
    registry = Registry()
    loaded = registry.site("acme")
    text_rule(acme, "later", "later", ("exact", "later"))  # bumps the revision

    building, release = threading.Event(), threading.Event()
    real_load = loading.load_index

    def slow_load(*args, **kwargs):
        building.set()
        assert release.wait(10)
        return real_load(*args, **kwargs)

    monkeypatch.setattr(loading, "load_index", slow_load)
    rebuilt = []

    def rebuild() -> None:
        try:
            rebuilt.append(registry.site("acme"))
        finally:
            connections.close_all()  # this thread's own: left open, it outlived the test

    rebuilder = threading.Thread(target=rebuild)
    rebuilder.start()
    try:
        assert building.wait(10)
        meanwhile = registry.site("acme")  # does not wait for the rebuild
    finally:
        release.set()
        rebuilder.join(10)
    assert meanwhile is loaded
    (site,) = rebuilt
    assert site.version.revision > loaded.version.revision
    assert {rule.name for rule in site.index.rules} == {"hi", "later"}
    assert registry.site("acme") is site


@pytest.mark.django_db
def test_warming_loads_every_account_before_its_first_push(monkeypatch):
    for slug in ("acme", "beta"):
        text_rule(account(slug), "hi", "hello", ("exact", "hi"))
    registry = Registry()
    registry.warm()

    def not_again(*args, **kwargs):
        raise AssertionError("rules loaded on a push, after warming")

    monkeypatch.setattr(loading, "load_index", not_again)
    for slug in ("acme", "beta"):
        assert [rule.name for rule in registry.site(slug).index.rules] == ["hi"]


@pytest.mark.django_db
def test_warming_with_the_database_down_is_logged_and_the_first_push_loads(monkeypatch, caplog):
    text_rule(account("acme"), "hi", "hello", ("exact", "hi"))
    registry = Registry()

    def down():
        raise DatabaseError("connection refused")

    monkeypatch.setattr(registry, "_refresh_versions", down)
    registry.warm()
    assert "could not load the accounts" in caplog.text
    monkeypatch.undo()
    assert [rule.name for rule in registry.site("acme").index.rules] == ["hi"]


@pytest.mark.django_db
def test_rules_replaced_after_an_edit_are_freed_though_frozen_out_of_the_collectors_sight():
    """config/gunicorn.py freezes what a worker loaded (gc.freeze): a cycle among those
    objects would never be collected, and each edit would leak the rules it replaced."""
    acme = account("acme")
    text_rule(acme, "hi", "hello {{ openid }}", ("exact", "hi"))
    text_rule(acme, "hours", "9-18", ("contains", "营业时间"))
    text_rule(acme, "order", "order {{ match.1 }}", ("regex", r"^order (\d+)$"))
    text_rule(acme, "sale", "sale", ("regex", "sale|deal"))
    registry = Registry()
    loaded = weakref.ref(registry.site("acme").index)
    gc.collect()
    gc.freeze()
    try:
        text_rule(acme, "later", "later", ("exact", "later"))  # bumps the revision
        assert registry.site("acme").index is not loaded()
        assert loaded() is None
    finally:
        gc.unfreeze()
