"""Recording lookup table versions: what each change did to the entries, with the values
before, so that any earlier state is the current one with the later changes undone."""

from collections.abc import Iterable, Mapping

from django.db.models import QuerySet

from autoreply.choices import ChangeKind, ChangeSource
from autoreply.history.authorship import current
from autoreply.models import LookupEntry, LookupTable, LookupVersion

Pair = tuple[str, str] | list[str]  # (key, value); JSON gives lists back
Change = tuple[Pair | None, Pair | None]  # before, after; None: absent
Row = tuple[int, str, str, str]  # table id, normalized key, key, value


def record(
    table: LookupTable,
    changes: Mapping[str, Change],
    kind: ChangeKind = ChangeKind.CHANGED,
    source: ChangeSource = ChangeSource.IMPORT,
) -> LookupVersion:
    """One version of `table`: its name and description now, and `changes` by key."""
    author = current()
    user = author.user if getattr(author.user, "is_authenticated", False) else None
    befores = [before for before, _ in changes.values()]
    afters = [after for _, after in changes.values()]
    return LookupVersion.objects.create(
        account_id=table.account_id,
        table_id=table.pk,
        name=table.name,
        description=table.description,
        changes=changes,
        added=befores.count(None),
        removed=afters.count(None),
        changed=sum(before is not None and after is not None for before, after in changes.values()),
        kind=kind,
        user_id=user.pk if user else None,
        source=author.source or source,
        detail=author.detail,
    )


def rows(entries: QuerySet[LookupEntry]) -> list[Row]:
    return list(entries.values_list("table_id", "normalized_key", "key", "value"))


def record_entries(before: Iterable[Row], after: Iterable[Row], source: ChangeSource) -> None:
    """A version of each table whose entries differ between `before` and `after` (the
    rows an edit touched, read before and after it)."""
    old = {(table, normalized): (key, value) for table, normalized, key, value in before}
    new = {(table, normalized): (key, value) for table, normalized, key, value in after}
    by_table: dict[int, dict[str, Change]] = {}
    for table, normalized in sorted(old.keys() | new.keys()):
        change = old.get((table, normalized)), new.get((table, normalized))
        if change[0] != change[1]:
            by_table.setdefault(table, {})[normalized] = change
    for table_id, changes in by_table.items():
        record(LookupTable.objects.get(pk=table_id), changes, source=source)


def record_deletion(tables: QuerySet[LookupTable], source: ChangeSource) -> None:
    """A version of each of these tables as deleted: every entry removed (to undelete)."""
    for table in tables:
        entries = table.entries.values_list("normalized_key", "key", "value")
        removal = {normalized: ((key, value), None) for normalized, key, value in entries}
        record(table, removal, ChangeKind.DELETED, source)


def entries_at(version: LookupVersion) -> dict[str, tuple[str, str]]:
    """The table's entries {normalized key: (key, value)} as they were after `version`;
    for a deletion, as they were before it (what undeleting brings back)."""
    stored = LookupEntry.objects.filter(table_id=version.table_id)
    state = {n: (k, v) for n, k, v in stored.values_list("normalized_key", "key", "value")}
    later = LookupVersion.objects.filter(table_id=version.table_id, pk__gt=version.pk)
    if version.kind == ChangeKind.DELETED:
        later = LookupVersion.objects.filter(table_id=version.table_id, pk__gte=version.pk)
    for changes in later.order_by("-pk").values_list("changes", flat=True).iterator():
        for normalized, (before, _after) in changes.items():
            if before is None:
                state.pop(normalized, None)
            else:
                state[normalized] = (before[0], before[1])
    return state
