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

from django.db import DatabaseError

from autoreply.conf import setting
from autoreply.errors import UnknownAccount
from autoreply.lookups import tables
from autoreply.models import Account
from autoreply.rules import loading
from autoreply.rules.matching import RuleIndex
from autoreply.webhook.recording import database
from wechat.crypto import MessageCrypto
from wechat.errors import IllegalAesKeyError

logger = logging.getLogger(__name__)
T = TypeVar("T")


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

        While the database does not answer, the last good state keeps answering;
        DatabaseError escapes only when there is none.
        """
        with self._lock:
            if time.monotonic() - self._checked >= setting("AUTOREPLY_REFRESH_SECONDS"):
                self._try(self._refresh_versions, stale_ok=bool(self._versions))
            version = self._versions.get(slug)
            if version is None:
                raise UnknownAccount(slug)
            old = self._sites.get(slug)
            if old is not None and old.version == version:
                return old
            site = self._try(lambda: self._build(slug, version, old), stale_ok=old is not None)
            self._sites[slug] = site = site or old  # type: ignore[assignment]
            return site  # type: ignore[return-value]

    def _try(self, load: Callable[[], T], stale_ok: bool) -> T | None:
        try:
            return load()
        except DatabaseError:
            if not stale_ok:
                raise
            logger.exception("the database does not answer; answering with what is loaded")
            return None

    def learn_original_id(self, site: Site, to_user: str) -> None:
        """Remember the account's gh_ id from the first push that names it."""
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
        Account.objects.using(database()).filter(pk=site.version.id, original_id="").update(
            original_id=to_user
        )
        with self._lock:
            if self._sites.get(site.slug) is site:
                self._sites[site.slug] = replace(site, original_id=to_user)

    def _refresh_versions(self) -> None:
        self._checked = time.monotonic()  # even if this fails: do not retry on every request
        rows = Account.objects.using(database()).values_list(
            "slug", "id", "revision", "lookups_revision"
        )
        self._versions = {slug: Version(*numbers) for slug, *numbers in rows}
        for slug in self._sites.keys() - self._versions.keys():
            del self._sites[slug]

    def _build(self, slug: str, version: Version, old: Site | None) -> Site:
        using = database()
        account = Account.objects.using(using).get(pk=version.id)
        same_rules = old is not None and (old.version.id, old.version.revision) == (
            version.id,
            version.revision,
        )
        same_lookups = (
            old is not None
            and old.version.id == version.id
            and (old.version.lookups_revision == version.lookups_revision)
        )
        started = time.monotonic()
        site = Site(
            version=version,
            slug=slug,
            app_id=account.app_id,
            token=account.token,
            encryption_mode=account.encryption_mode,
            original_id=account.original_id,
            cryptos=_cryptos(account),
            index=old.index if same_rules and old else loading.load_index(account.pk, using),
            lookups=old.lookups if same_lookups and old else tables.load(account.pk, using),
        )
        logger.info("account %s loaded in %.0f ms", slug, (time.monotonic() - started) * 1000)
        return site


def _cryptos(account: Account) -> tuple[MessageCrypto, ...]:
    cryptos = []
    for key in (account.encoding_aes_key, account.previous_encoding_aes_key):
        if key:
            try:
                cryptos.append(MessageCrypto(key, account.app_id))
            except IllegalAesKeyError:
                logger.error("account %s has an unusable EncodingAESKey", account.slug)
    return tuple(cryptos)


registry = Registry()
