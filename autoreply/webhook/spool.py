"""The spool: pushes answered while the database was away, kept on this node's disk
until PostgreSQL has them (AUTOREPLY_SPOOL_DIR).

One file per push, named for its account and dedup key and holding the message row as
the webhook's INSERT takes it (raw XML, the answer sent, when it came). Each is written
whole: a temporary file, fsync, a hard link to its name, fsync of the folder. Files
rather than SQLite in WAL mode because they need no lock shared by the workers: every
write stands alone, a worker killed mid-write leaves a stray temporary file (never a
torn entry or a held lock), and a retry finds the answer already sent by opening one
name. The link fails when the name exists, so of two concurrent deliveries the first
wins and both answer with its reply.

Replayed by replay(): by a thread of any worker that spooled or whose database came back,
and by `manage.py replay_spool`. Each entry goes in through the same INSERT ... ON
CONFLICT on its dedup key as a live push (a chunk of them per transaction), so an entry
replayed twice is stored once; a lock file keeps two replayers from doing the work twice
anyway.
"""

import fcntl
import json
import logging
import os
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import DatabaseError, connections, transaction
from django.db.backends.signals import connection_created

from autoreply.conf import setting
from autoreply.webhook import recording
from autoreply.webhook.breaker import breaker

logger = logging.getLogger(__name__)

SUFFIX = ".json"
REFUSED = ".refused"  # an entry the database refused for good (its account deleted, ...)
REPLAY_INTERVAL = 0.5
CHUNK = 200  # entries per replay transaction


@dataclass(frozen=True)
class Replayed:
    stored: int = 0
    duplicates: int = 0  # already in PostgreSQL (a retry, or another replayer, was first)
    refused: int = 0
    busy: bool = False  # another process holds the replay lock


def folder() -> Path:
    return Path(setting("AUTOREPLY_SPOOL_DIR"))


def entry_path(account_id: int, key: uuid.UUID) -> Path:
    return folder() / f"{account_id}-{key.hex}{SUFFIX}"


def answer_for(account_id: int, key: uuid.UUID) -> bytes | None:
    """The answer sent to the spooled delivery of this push, if there was one."""
    try:
        entry = json.loads(entry_path(account_id, key).read_bytes())
    except FileNotFoundError:
        return None
    return str(entry["answer"]).encode()


def write(slug: str, row: recording.Row, answer: bytes) -> bytes:
    """Spool the push durably; the answer to send (an earlier delivery's, if spooled)."""
    path = entry_path(row.account_id, row.key)
    path.parent.mkdir(parents=True, exist_ok=True)
    entry = {
        "account": slug,
        "key": str(row.key),
        "answer": answer.decode(),
        "spooled_at": time.time(),
        "row": row.params(),
    }
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex}")
    try:
        _write_synced(temporary, json.dumps(entry, default=str).encode())
        os.link(temporary, path)
    except FileExistsError:
        return answer_for(row.account_id, row.key) or b""
    finally:
        temporary.unlink(missing_ok=True)
    _sync_folder(path.parent)
    replayer.start()
    return answer


def depth() -> int:
    """How many pushes wait to be replayed."""
    try:
        return sum(1 for entry in os.scandir(folder()) if entry.name.endswith(SUFFIX))
    except (FileNotFoundError, NotADirectoryError):  # nothing spooled yet, or no spool
        return 0


def writable() -> bool:
    """Whether a push could be spooled now (written and synced to disk)."""
    probe = folder() / f".probe.{os.getpid()}.{uuid.uuid4().hex}"
    try:
        probe.parent.mkdir(parents=True, exist_ok=True)
        _write_synced(probe, b"{}")
        probe.unlink()
    except OSError:
        logger.exception("the spool %s is not writable", folder())
        return False
    return True


def replay() -> Replayed:
    """Move every spooled push into PostgreSQL; raises DatabaseError if it is still away.

    Entries go in CHUNK at a time, each chunk one transaction (one durable commit, not
    one per push: a node back from an outage drains thousands quickly), each entry in a
    savepoint of its own so that one the database refuses leaves the others in. A file
    is removed only once its chunk has committed."""
    with _replay_lock() as held:
        if not held:
            return Replayed(busy=True)
        counts = {"stored": 0, "duplicates": 0, "refused": 0}
        paths = sorted(folder().glob(f"*{SUFFIX}"), key=_mtime)
        for start in range(0, len(paths), CHUNK):
            for outcome in _replay_chunk(paths[start : start + CHUNK]):
                counts[outcome] += 1
        _sync_folder(folder())
    replayed = Replayed(counts["stored"], counts["duplicates"], counts["refused"])
    if replayed.stored or replayed.duplicates:
        logger.warning("replayed the spool: %s", replayed)
    return replayed


def _replay_chunk(paths: list[Path]) -> list[str]:
    outcomes: list[tuple[Path, str]] = []
    with transaction.atomic(using=recording.database()):
        # Django's foreign keys are checked at commit by default: checked per entry
        # instead, a refused one fails its savepoint, not the chunk's commit.
        with connections[recording.database()].cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for path in paths:
            outcomes.append((path, _replay_one(path)))
    for path, outcome in outcomes:  # committed: now the files may go
        if outcome == "refused":
            path.rename(path.with_suffix(REFUSED))
        else:
            path.unlink(missing_ok=True)
    return [outcome for _, outcome in outcomes]


def _replay_one(path: Path) -> str:
    try:
        entry = json.loads(path.read_bytes())
    except FileNotFoundError:
        return "duplicates"  # replayed meanwhile by someone else
    try:
        with transaction.atomic(using=recording.database()):
            stored = recording.store_spooled(entry["row"])
    except DatabaseError as error:
        if breaker.closed and not isinstance(error, recording.FAILURES):
            logger.error("the database refused the spooled push %s: %s", path.name, error)
            return "refused"
        raise
    return "stored" if stored else "duplicates"


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


@contextmanager
def _replay_lock() -> Iterator[bool]:
    folder().mkdir(parents=True, exist_ok=True)
    with open(folder() / ".replay.lock", "a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write_synced(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _sync_folder(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


class Replayer:
    """A thread per worker that replays while the spool is not empty, then ends. Started
    only by a server (the webhook's guarded connection), never inside tests' transactions."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if not hasattr(connections[recording.database()], "guarded"):
            return
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._run, name="spool-replay", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        try:
            while depth():
                time.sleep(REPLAY_INTERVAL)
                try:
                    replay()
                except DatabaseError:
                    continue  # still away: the breaker keeps this cheap
                except Exception:
                    logger.exception("replaying the spool failed; trying again")
        finally:
            connections[recording.database()].close()


replayer = Replayer()
breaker.on_recovery.append(replayer.start)


def _on_connection(sender: Any, connection: Any, **kwargs: Any) -> None:
    """A worker's new connection: pick up what a worker that died left spooled."""
    if connection.alias == recording.database() and depth():
        replayer.start()


connection_created.connect(_on_connection)
