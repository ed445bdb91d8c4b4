"""Each worker's in-memory view of the accounts it answers: credentials, rules, tables.

No query per request: a worker re-reads the accounts' revision numbers at most every
AUTOREPLY_REFRESH_SECONDS and rebuilds an account only when its number moved. The
numbers are bumped by database triggers (see migrations), so a change made anywhere
(admin, import, psql) reaches every worker within that interval, without a restart.
"""

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TypeVar

from django.db import DatabaseError, connections

from autoreply.conf import setting, webhook_database
from autoreply.errors import UnknownAccount
from autoreply.lookups import tables
from autoreply.models import Account
from autoreply.rules import loading
from autoreply.rules.matching import RuleIndex
from wechat.crypto import MessageCrypto
from wechat.errors import IllegalAesKeyError
from wechat.pushes import SIMULATED_GH_ID

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Stores the gh_ id unless the account has one, and answers the id it now has ('' while
# none). Never waits: an import or a save holding the account's row (every rule change
# bumps its revision there, until it commits) is skipped, and a later push tries again.
LEARN_ORIGINAL_ID = """
WITH learned AS (
    UPDATE autoreply_account SET original_id = %s
    WHERE id = (SELECT id FROM autoreply_account WHERE id = %s AND original_id = ''
                FOR NO KEY UPDATE SKIP LOCKED)
    RETURNING original_id
)
SELECT original_id FROM learned
UNION ALL
SELECT original_id FROM autoreply_account WHERE id = %s AND NOT EXISTS (SELECT FROM learned)
"""


@dataclass(frozen=True)
class Version:
    id: int
    revision: int
    lookups_revision: int


@dataclass(frozen=True)
class Site:
    """One account as the webhook needs it, built once per revision."""

    version: Version
    slug: str
    app_id: str
    token: str
    encryption_mode: str
    original_id: str
    cryptos: tuple[MessageCrypto, ...]  # the current key first, then the previous one
    index: RuleIndex
    lookups: Mapping[str, Mapping[str, str]]


class Registry:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._versions: dict[str, Version] = {}
        self._sites: dict[str, Site] = {}
        self._checked = float("-inf")
        self._warned: set[str] = set()

    def site(self, slug: str) -> Site:
        """The current Site for `slug`; raises UnknownAccount.

        While the database does not answer, or a rebuild fails in any other way, the
        last good state keeps answering; an error escapes only when there is none (and
        rules or tables that fail to build are then left out: see `_part`).
        """
        if not self._versions or time.monotonic() - self._checked >= setting(
            "AUTOREPLY_REFRESH_SECONDS"
        ):
            self._refresh()
        version = self._versions.get(slug)
        if version is None:
            raise UnknownAccount(slug)
        old = self._sites.get(slug)
        if old is not None and old.version == version:
            return old  # the usual path: no lock, which threads of a worker would queue on
        # While one thread rebuilds the account (seconds, for ten thousand rules), the
        # others answer with its rules as loaded: waiting, they would miss the deadline.
        if not self._lock.acquire(blocking=old is None or old.version.id != version.id):
            return old  # type: ignore[return-value]
        try:
            old = self._sites.get(slug)
            if old is not None and old.version == version:
                return old  # built by another thread meanwhile
            site = self._try(lambda: self._build(slug, version, old), stale_ok=old is not None)
            self._sites[slug] = site = site or old  # type: ignore[assignment]
            return site  # type: ignore[return-value]
        finally:
            self._lock.release()

    def warm(self) -> None:
        """Build every account now, as a worker starts, so that its first pushes do not
        wait for their rules to load. Logged, never raised: pushes try again."""
        try:
            self._refresh()
            for slug in list(self._versions):
                self.site(slug)
        except Exception:
            logger.exception("could not load the accounts as the worker started")

    def _refresh(self) -> None:
        """Read the accounts' revisions: by one thread at a time; while one does, the
        others answer with what is loaded (unless nothing is: then they wait for it)."""
        if not self._lock.acquire(blocking=not self._versions):
            return
        try:
            if time.monotonic() - self._checked >= setting("AUTOREPLY_REFRESH_SECONDS"):
                self._try(self._refresh_versions, stale_ok=bool(self._versions))
        finally:
            self._lock.release()

    def _try(self, load: Callable[[], T], stale_ok: bool) -> T | None:
        try:
            return load()
        except Exception:
            if not stale_ok:
                raise
            logger.exception("could not reload the accounts; answering with what is loaded")
            return None

    def learn_original_id(self, site: Site, to_user: str) -> None:
        """Remember the account's gh_ id from the first push that names it, never from
        the simulator's (its made-up id would stay for good)."""
        if to_user == SIMULATED_GH_ID:
            return
        if site.original_id:
            if to_user not in self._warned:
                self._warned.add(to_user)
                logger.warning(
                    "account %s got a push for %s, not its own %s",
                    site.slug,
                    to_user,
                    site.original_id,
                )
            return
        try:
            with connections[webhook_database()].cursor() as cursor:
                cursor.execute(LEARN_ORIGINAL_ID, [to_user, site.version.id, site.version.id])
                row = cursor.fetchone()
        except DatabaseError as error:  # the push itself can still be answered (and spooled)
            # One line, not a traceback: while the database is away every push comes here.
            logger.warning(
                "account %s: could not store its original id, a later push tries again: %s",
                site.slug,
                error,
            )
            return
        # Kept in memory whoever stored it: another worker's learning moves no revision,
        # and this one would otherwise try again on every push.
        stored = row[0] if row else ""
        if not stored:  # the row is being written: a later push tells
            return
        with self._lock:
            if self._sites.get(site.slug) is site:
                self._sites[site.slug] = replace(site, original_id=stored)

    def _refresh_versions(self) -> None:
        self._checked = time.monotonic()  # even if this fails: do not retry on every request
        rows = Account.objects.using(webhook_database()).values_list(
            "slug", "id", "revision", "lookups_revision"
        )
        self._versions = {slug: Version(*numbers) for slug, *numbers in rows}
        for slug in self._sites.keys() - self._versions.keys():
            del self._sites[slug]

    def _build(self, slug: str, version: Version, old: Site | None) -> Site:
        using = webhook_database()
        account = Account.objects.using(using).get(pk=version.id)
        # What this worker has of the same account: reused while its revision holds,
        # and kept when a rebuild fails. (A slug given to a new account starts afresh.)
        mine = old.version if old is not None and old.version.id == version.id else None
        index, lookups = (old.index, old.lookups) if old and mine else (EMPTY, {})
        started = time.monotonic()
        if mine is None or mine.revision != version.revision:
            index = _part(slug, "rules", lambda: loading.load_index(account.pk, using), index)
        if mine is None or mine.lookups_revision != version.lookups_revision:
            lookups = _part(slug, "lookup tables", lambda: tables.load(account.pk, using), lookups)
        site = Site(
            version=version,
            slug=slug,
            app_id=account.app_id,
            token=account.token,
            encryption_mode=account.encryption_mode,
            original_id=account.original_id,
            cryptos=_cryptos(account),
            index=index,
            lookups=lookups,
        )
        logger.info("account %s loaded in %.0f ms", slug, (time.monotonic() - started) * 1000)
        return site


def _part(slug: str, what: str, load: Callable[[], T], loaded: T) -> T:
    """Build one part of a Site. A failure that is not the database's (a stored regex
    that overflows, anything) keeps the part this worker has loaded (empty when it has
    none), so the account's credentials and the URL check never depend on its rules."""
    try:
        return load()
    except DatabaseError:
        raise  # the whole Site waits for the database: see Registry._try
    except Exception:
        logger.exception("account %s: its %s failed to load; keeping what is loaded", slug, what)
        return loaded


def _cryptos(account: Account) -> tuple[MessageCrypto, ...]:
    cryptos = []
    for key in (account.encoding_aes_key, account.previous_encoding_aes_key):
        if key:
            try:
                cryptos.append(MessageCrypto(key, account.app_id))
            except IllegalAesKeyError:
                logger.error("account %s has an unusable EncodingAESKey", account.slug)
    return tuple(cryptos)


EMPTY = RuleIndex(())
registry = Registry()
