"""`bin/serve`'s own PostgreSQL (bin/localpg without --throwaway) is a durable one: an
answered push is on disk, as README promises for the server it runs."""

import subprocess
import tempfile
from pathlib import Path

import psycopg

from tests.cluster import LOCALPG


def test_the_servers_own_cluster_commits_durably_and_fills_no_wal_file_with_zeros() -> None:
    datadir = Path(tempfile.mkdtemp(prefix="autoreply-durable-pg-"))
    started = subprocess.run(
        [*LOCALPG, "start", str(datadir)], check=True, capture_output=True, text=True
    )
    try:
        with psycopg.connect(started.stdout.strip(), connect_timeout=5) as connection:
            settings = {
                name: connection.execute(f"SHOW {name}").fetchone()[0]  # type: ignore[index]
                for name in ("fsync", "synchronous_commit", "full_page_writes", "wal_init_zero")
            }
    finally:
        subprocess.run([*LOCALPG, "stop", str(datadir), "--remove"], check=False)
    # Zero-filling each new 16 MB WAL file held every commit for ~60 ms (bench/README).
    assert settings == {
        "fsync": "on",
        "synchronous_commit": "on",
        "full_page_writes": "on",
        "wal_init_zero": "off",
    }
