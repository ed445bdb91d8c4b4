"""The scale model: how many nodes one PostgreSQL serves, worked out from two figures
measured on this machine in the same run.

1. One node's throughput: ours under the e2e load (10,000 rules, 3 workers, durable
   commits), with PostgreSQL's CPU per stored push.
2. PostgreSQL's own ceiling for this work: pgbench with 32 clients running the webhook's
   statement (one INSERT ... ON CONFLICT per push into the message table, with its
   partitions and indexes), durable commits, nothing else on the machine.

Nodes before PostgreSQL is the limit = (2) / (1). On a bigger database machine (2) grows
with its cores and its disk's fsync rate; the CPU per push says by how much.
"""

import os
import subprocess
import sys
import tempfile

from bench import e2e, loadgen, servers
from bench.report import heading, table

SECONDS = 10
CLIENTS = 32
SCRIPT = """\\set n random(1, 1000000000)
INSERT INTO autoreply_message (account_id, dedup_key, from_user, to_user, create_time,
  create_day, msg_type, event, event_key, text, fields, raw_xml, status, reply, error,
  handling_ms, retries)
VALUES ((SELECT min(id) FROM autoreply_account), md5(:n::text || :client_id)::uuid,
  'oBenchFollower000123', 'gh_bench0000001', extract(epoch FROM now())::bigint,
  (extract(epoch FROM now())::bigint / 86400)::int, 'text', '', '',
  'what are your opening hours?', '{}',
  '<xml><ToUserName><![CDATA[gh_bench0000001]]></ToUserName>...</xml>', 'reply',
  '<xml>a reply</xml>', '', 0.4, 0)
ON CONFLICT (account_id, dedup_key, create_day) DO NOTHING;
"""


def pgbench(database_url: str) -> float:
    """Commits per second of the webhook's statement, CLIENTS at once, durable."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql") as script:
        script.write(SCRIPT)
        script.flush()
        command = [
            servers.pg_binary("pgbench"),
            "-n",
            "-c",
            str(CLIENTS),
            "-j",
            "2",
            "-T",
            str(SECONDS),
            "-f",
            script.name,
            database_url,
        ]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            raise RuntimeError(f"pgbench failed:\n{done.stderr[-2000:]}")
        out = done.stdout
    line = next(x for x in out.splitlines() if x.startswith("tps = "))
    return float(line.split()[2])


def main() -> bool:
    with servers.postgres() as db:
        env = e2e.environment(db)
        texts, _ = e2e.prepare(env)
        with servers.Gunicorn(
            "config.wsgi:application", env | {"BENCH_GUNICORN_CONFIG": "1"}
        ) as ours:
            target = loadgen.Target(ours.url, e2e.SLUG, e2e.TOKEN)
            loadgen.run(target, e2e.WARMUP, texts)
            load = e2e.metered(ours, db, target, SECONDS, texts)
        commits = pgbench(db.url)
    node = load.per_second
    db_ms = 1000 * load.db_cpu_s / load.completed
    print(
        heading(
            "Scale model",
            f"one node ({servers.WORKERS} workers) against PostgreSQL's "
            f"ceiling for the webhook's statement, both on this {os.cpu_count()}-core machine",
        )
    )
    print(
        table(
            ("figure", "value"),
            [
                ("one node: pushes/s", f"{node:,.0f}"),
                ("PostgreSQL CPU per stored push", f"{db_ms:.2f} ms"),
                (
                    f"PostgreSQL: commits/s of the webhook's INSERT ({CLIENTS} clients, durable)",
                    f"{commits:,.0f}",
                ),
                ("nodes before PostgreSQL is the limit", f"{commits / node:.1f}"),
                ("PostgreSQL cores per 1,000 pushes/s (CPU alone)", f"{db_ms:.2f}"),
            ],
        )
    )
    return True


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
