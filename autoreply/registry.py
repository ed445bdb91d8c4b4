"""Each worker's in-memory view of the accounts it answers: credentials, rules, lookups.

No query per request: a worker re-reads the accounts' revision numbers at most every
AUTOREPLY_REFRESH_SECONDS and rebuilds an account only when its number moved. The
numbers are bumped by database triggers (see migrations), so a change made anywhere
(admin, import, psql) reaches every worker within that interval, without a restart.
"""

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, replace

from autoreply import lookups, rulebook
from autoreply.conf import setting
from autoreply.errors import UnknownAccount
from autoreply.matching import RuleIndex
from autoreply.models import Account
from wechat.crypto import MessageCrypto
from wechat.errors import IllegalAesKeyError

logger = logging.getLogger(__name__)


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
        """The current Site for `slug`; raises UnknownAccount."""
        with self._lock:
            if time.monotonic() - self._checked >= setting("AUTOREPLY_REFRESH_SECONDS"):
                self._refresh_versions()
            version = self._versions.get(slug)
            if version is None:
                raise UnknownAccount(slug)
            site = self._sites.get(slug)
            if site is None or site.version != version:
                site = self._sites[slug] = self._build(slug, version, site)
            return site

    def learn_original_id(self, site: Site, to_user: str) -> None:
        """Remember the account's gh_ id from the first push that names it."""
        if site.original_id:
            if to_user not in self._warned:
                self._warned.add(to_user)
                logger.warning("account %s got a push for %s, not its own %s",
                               site.slug, to_user, site.original_id)
            return
        Account.objects.filter(pk=site.version.id, original_id="").update(original_id=to_user)
        with self._lock:
            if self._sites.get(site.slug) is site:
                self._sites[site.slug] = replace(site, original_id=to_user)

    def _refresh_versions(self) -> None:
        rows = Account.objects.values_list("slug", "id", "revision", "lookups_revision")
        self._versions = {slug: Version(*numbers) for slug, *numbers in rows}
        self._checked = time.monotonic()
        for slug in self._sites.keys() - self._versions.keys():
            del self._sites[slug]

    def _build(self, slug: str, version: Version, old: Site | None) -> Site:
        account = Account.objects.get(pk=version.id)
        same_rules = old is not None and (old.version.id, old.version.revision) == (
            version.id,
            version.revision,
        )
        same_lookups = old is not None and old.version.id == version.id and (
            old.version.lookups_revision == version.lookups_revision
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
            index=old.index if same_rules and old else rulebook.load_index(account.pk),
            lookups=old.lookups if same_lookups and old else lookups.load(account.pk),
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
