"""Lookup tables: reading them into memory for templates, and storing new contents.

Every way of filling a table (rules file, CSV, a sync from another database) goes
through `store`, which validates everything first, then writes only the difference and
records it as the table's new version.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _

from autoreply.choices import ChangeKind
from autoreply.history import lookup_versions
from autoreply.models import Account, LookupEntry, LookupTable
from autoreply.text import normalize

BATCH = 5_000
KEY_LENGTH = LookupEntry._meta.get_field("key").max_length or 255


@dataclass
class Counts:
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0

    def __str__(self) -> str:
        return (
            f"{self.added} added, {self.changed} changed, {self.removed} removed, "
            f"{self.unchanged} unchanged"
        )


def load(account_id: int, using: str = "default") -> Mapping[str, Mapping[str, str]]:
    """{table name: {normalized key: value}} for every table of the account."""
    tables: dict[str, dict[str, str]] = {}
    rows = (
        LookupEntry.objects.using(using)
        .filter(table__account_id=account_id)
        .values_list("table__name", "normalized_key", "value")
    )
    for table, key, value in rows.iterator(chunk_size=10_000):
        tables.setdefault(table, {})[key] = value
    return tables


def normalized_entries(rows: Iterable[tuple[str, str]], where: str) -> dict[str, tuple[str, str]]:
    """{normalized key: (key, value)}; refuses empty, over-long and duplicate keys."""
    entries: dict[str, tuple[str, str]] = {}
    for number, (key, value) in enumerate(rows, start=1):
        normalized = normalize(key)
        if not normalized:
            message = _("%(where)s, entry %(number)d: the key is empty.")
            raise ValidationError(message % {"where": where, "number": number})
        if len(key) > KEY_LENGTH:
            message = _("%(where)s, key %(key)r…: longer than %(limit)d.")
            raise ValidationError(message % {"where": where, "key": key[:40], "limit": KEY_LENGTH})
        if normalized in entries:
            message = _(
                "%(where)s: keys %(first)r and %(second)r are the same key "
                "(keys compare ignoring case and full-width/half-width forms)."
            )
            names = {"where": where, "first": entries[normalized][0], "second": key}
            raise ValidationError(message % names)
        entries[normalized] = (key, value)
    return entries


@transaction.atomic
def store(
    account: Account, name: str, entries: Mapping[str, tuple[str, str]], replace: bool
) -> Counts:
    """Upsert `entries` ({normalized key: (key, value)}) into the account's table `name`,
    creating the table; `replace` also removes the keys that are not in `entries`. What
    changed is recorded as a version of the table."""
    # Two writers of one table take turns on an advisory lock, never on a row lock of the
    # account: the webhook's inserts for the account take a key share on that row.
    _execute(ONE_WRITER, [f"autoreply lookup table {account.pk}/{name}"])
    table, created = LookupTable.objects.get_or_create(account=account, name=name)
    table.full_clean()
    existing = {
        normalized: (pk, key, value)
        for pk, normalized, key, value in table.entries.values_list(
            "pk", "normalized_key", "key", "value"
        ).iterator(chunk_size=BATCH)
    }
    new, changed, gone, changes = _difference(existing, entries, replace)
    # Whole columns as arrays, one statement each: a 100,000-key table in a second.
    _execute(INSERT_ENTRIES, [table.pk, *map(list, zip(*new, strict=True))] if new else None)
    _execute(UPDATE_ENTRIES, [*map(list, zip(*changed, strict=True))] if changed else None)
    _execute(DELETE_ENTRIES, [gone] if gone else None)
    counts = Counts(len(new), len(changed), len(gone), len(entries) - len(new) - len(changed))
    if created or changes:
        kind = ChangeKind.CREATED if created else ChangeKind.CHANGED
        lookup_versions.record(table, changes, kind)
    return counts


def _difference(
    existing: Mapping[str, tuple[int, str, str]],
    entries: Mapping[str, tuple[str, str]],
    replace: bool,
) -> tuple[list[Any], list[Any], list[int], dict[str, lookup_versions.Change]]:
    """The rows to insert, update and delete, and the same as the version records them."""
    new, changed, gone = [], [], []
    changes: dict[str, lookup_versions.Change] = {}
    for normalized, (key, value) in entries.items():
        stored = existing.get(normalized)
        if stored is None:
            new.append((normalized, key, value))
            changes[normalized] = (None, (key, value))
        elif stored[1:] != (key, value):
            changed.append((stored[0], key, value))
            changes[normalized] = (stored[1:], (key, value))
    for normalized, (pk, key, value) in existing.items():
        if replace and normalized not in entries:
            gone.append(pk)
            changes[normalized] = ((key, value), None)
    return new, changed, gone, changes


ONE_WRITER = "SELECT pg_advisory_xact_lock(hashtextextended(%s, 0))"
INSERT_ENTRIES = """
INSERT INTO autoreply_lookupentry (table_id, normalized_key, key, value, updated_at)
SELECT %s, n, k, v, now() FROM unnest(%s::text[], %s::text[], %s::text[]) AS e(n, k, v)
"""
UPDATE_ENTRIES = """
UPDATE autoreply_lookupentry AS e SET key = c.k, value = c.v, updated_at = now()
FROM unnest(%s::bigint[], %s::text[], %s::text[]) AS c(id, k, v) WHERE e.id = c.id
"""
DELETE_ENTRIES = "DELETE FROM autoreply_lookupentry WHERE id = ANY(%s::bigint[])"


def _execute(sql: str, params: list[Any] | None) -> None:
    if params is not None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
