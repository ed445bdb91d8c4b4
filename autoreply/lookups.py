"""Lookup tables: reading them into memory for templates, and storing new contents.

Every way of filling a table (rules file, CSV, a sync from another database) goes
through `store`, which validates everything first and then writes only the difference.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from autoreply.matching import normalize
from autoreply.models import Account, LookupEntry, LookupTable

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
            raise ValidationError(f"{where}, entry {number}: the key is empty.")
        if len(key) > KEY_LENGTH:
            raise ValidationError(f"{where}, key {key[:40]!r}…: longer than {KEY_LENGTH}.")
        if normalized in entries:
            raise ValidationError(
                f"{where}: keys {entries[normalized][0]!r} and {key!r} are the same key "
                "(keys compare ignoring case and full-width/half-width forms)."
            )
        entries[normalized] = (key, value)
    return entries


@transaction.atomic
def store(
    account: Account, name: str, entries: Mapping[str, tuple[str, str]], replace: bool
) -> Counts:
    """Upsert `entries` ({normalized key: (key, value)}) into the account's table `name`,
    creating the table; `replace` also removes the keys that are not in `entries`."""
    table, _ = LookupTable.objects.get_or_create(account=account, name=name)
    table.full_clean()
    existing = {e.normalized_key: e for e in table.entries.all()}
    counts, new, changed, now = Counts(), [], [], timezone.now()
    for normalized, (key, value) in entries.items():
        entry = existing.get(normalized)
        if entry is None:
            new.append(
                LookupEntry(
                    table=table, key=key, normalized_key=normalized, value=value, updated_at=now
                )
            )
        elif (entry.key, entry.value) != (key, value):
            entry.key, entry.value, entry.updated_at = key, value, now
            changed.append(entry)
        else:
            counts.unchanged += 1
    LookupEntry.objects.bulk_create(new, batch_size=BATCH)
    LookupEntry.objects.bulk_update(changed, ["key", "value", "updated_at"], batch_size=BATCH)
    counts.added, counts.changed = len(new), len(changed)
    if replace:
        gone = [e.pk for normalized, e in existing.items() if normalized not in entries]
        for start in range(0, len(gone), BATCH):
            LookupEntry.objects.filter(pk__in=gone[start : start + BATCH]).delete()
        counts.removed = len(gone)
    return counts
