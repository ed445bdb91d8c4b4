"""`sync_lookup`, imports and rule or account saves never hold a lock that the webhook's
writes for the same account wait on. Two real connections: a thread holds the writer's
transaction open, and the webhook stores a push through the real app meanwhile, under a
lock timeout short enough that waiting would fail the push."""

import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections, transaction

from autoreply.files.rules_import import import_rules
from autoreply.lookups import sync as lookup_sync
from autoreply.lookups import tables
from autoreply.models import Account, Message
from tests.factories import account, text_rule
from tests.wechat_client import WeChatClient

LOCK_TIMEOUT_MS = 1000


def sync_workpieces() -> None:
    lookup_sync.sync("workpieces")


def import_a_rules_file() -> None:
    keywords = [{"mode": "contains", "pattern": "营业时间"}]
    rules = [{"name": "hours", "keywords": keywords, "replies": [{"type": "text", "content": "9"}]}]
    document = {"accounts": [{"slug": "factory", "rules": rules, "lookups": {"t": {"k": "v"}}}]}
    import_rules(document, replace=True)


def store_a_lookup_table() -> None:
    tables.store(Account.objects.get(slug="factory"), "csv", {"a": ("a", "1")}, replace=True)


def save_a_rule() -> None:
    text_rule(Account.objects.get(slug="factory"), "new", "hi", ("exact", "hi"))


def save_the_account() -> None:
    factory = Account.objects.get(slug="factory")
    factory.name = "Factory (renamed)"
    factory.save()


WRITERS = {
    "sync_lookup": sync_workpieces,
    "import_rules": import_a_rules_file,
    "import_lookup": store_a_lookup_table,
    "a rule saved": save_a_rule,
    "the account saved": save_the_account,
}


def holding_open(work: Callable[[], None], ready: threading.Event, release: threading.Event):
    """Run `work` in a transaction of this thread's own connection and keep it open."""
    try:
        with transaction.atomic():
            work()
            ready.set()
            release.wait(10)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("writer", WRITERS)
def test_a_push_is_stored_promptly_while_a_writer_holds_its_transaction(writer, configure):
    factory = account("factory", original_id="gh_demo")
    ready, release = threading.Event(), threading.Event()
    holder = threading.Thread(target=holding_open, args=(WRITERS[writer], ready, release))
    holder.start()
    try:
        assert ready.wait(20), "the writer did not get going"
        with connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {LOCK_TIMEOUT_MS}")
        started = time.monotonic()
        WeChatClient(factory).say("hello", from_user="oDuring")
        took = time.monotonic() - started
        assert Message.objects.filter(account=factory, from_user="oDuring").exists()
        assert took < LOCK_TIMEOUT_MS / 1000 * 0.8, f"the push waited {took:.2f} s"
    finally:
        release.set()
        holder.join(20)
