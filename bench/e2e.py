"""End-to-end load benchmark: ceiling, two peers and ours under the same wrk load.

One durable PostgreSQL (fsync and synchronous_commit on, checked), gunicorn with the
same number of workers for each case (sync; ours as config/gunicorn.py has them), wrk
in its own process (bench/load.lua). Each case gets a warm-up, then measured runs
interleaved with the other cases'. Afterwards the database must hold every message ours
answered with a 2xx exactly once.
"""

import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from bench import loadgen, rulegen, servers
from bench.loadgen import Load
from bench.report import goal, heading, table
from bench.storage import StorageCheck, check_storage

RESULTS = Path(__file__).resolve().parent / "results"
SLUG, TOKEN = "bench", "benchtoken"
RULES = 10_000
RSS_GOAL = 80  # MiB, with RULES loaded
WARMUP, MEASURE, ROUNDS = 5, 15, 3  # seconds, seconds in ROUNDS runs
CASES = (  # name, WSGI app, environment, what it is
    ("ceiling", "bench.bare_app:application", {}, "bare WSGI app, fixed XML reply"),
    (
        "lean peer",
        "bench.peer.wsgi:application",
        {"DJANGO_SETTINGS_MODULE": "bench.peer.settings", "BENCH_PEER": "lean"},
        "Django+wechatpy, persistent connection, one raw INSERT ... ON CONFLICT DO NOTHING",
    ),
    (
        "orm peer",
        "bench.peer.wsgi:application",
        {"DJANGO_SETTINGS_MODULE": "bench.peer.settings", "BENCH_PEER": "orm"},
        "Django+wechatpy, Model.objects.create",
    ),
    (
        "ours",
        "config.wsgi:application",
        {"DJANGO_SETTINGS_MODULE": "config.settings", "BENCH_GUNICORN_CONFIG": "1"},
        f"autoreply, {RULES:,} rules, gunicorn --config config/gunicorn.py",
    ),
)


def environment(db: servers.Postgres) -> dict[str, str]:
    return os.environ | {
        "DATABASE_URL": db.url, "AUTOREPLY_SPOOL_DIR": str(db.spool),
        "DJANGO_SECRET_KEY": "bench-only-not-a-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost", "DJANGO_LOG_LEVEL": "WARNING",
        "BENCH_TOKEN": TOKEN, "PYTHONPATH": str(servers.ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        # No collectstatic here (it writes outside bench/): quiet WhiteNoise's warning.
        "PYTHONWARNINGS": "ignore:No directory at:UserWarning",
    }  # fmt: skip


def python(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(servers.VENV_BIN / "python"), *args], cwd=servers.ROOT, env=env,
                   check=True, stdout=subprocess.DEVNULL)  # fmt: skip


def rules_file() -> Path:
    account = {"slug": SLUG, "name": "Benchmark", "app_id": "wxbench00000000001", "token": TOKEN,
               "encoding_aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
               "rules": rulegen.rules(RULES, with_default=False)}  # fmt: skip
    path = RESULTS / "bench-rules.json"
    path.write_text(json.dumps({"accounts": [account]}, ensure_ascii=False), encoding="utf-8")
    return path


def prepare(env: dict[str, str]) -> tuple[Path, float]:
    """Schema for ours and the peers, the rules imported; returns the texts file, import s."""
    RESULTS.mkdir(exist_ok=True)
    python(env, "manage.py", "migrate", "--noinput")
    python(env | {"DJANGO_SETTINGS_MODULE": "bench.peer.settings"}, "-m", "django", "migrate",
           "--run-syncdb")  # fmt: skip
    started = time.monotonic()
    python(env, "manage.py", "import_rules", str(rules_file()))
    imported = time.monotonic() - started
    keyword_rules = RULES - len(rulegen.special_rules(with_default=False))
    texts = RESULTS / "bench-texts.txt"
    texts.write_text("\n".join(rulegen.texts(keyword_rules, 1000)) + "\n", encoding="utf-8")
    return texts, imported


def run_cases(
    env: dict[str, str], texts: Path, db: servers.Postgres
) -> tuple[dict[str, list[Load]], tuple[list[float], list[float]]]:
    """All servers up at once; a warm-up each, then ROUNDS measured runs per case,
    interleaved (the order rotating) so that outside noise spreads over every case.
    Returns each case's runs (the warm-up first) and the RSS and PSS of ours' workers after."""
    names = [name for name, *_ in CASES]
    with contextlib.ExitStack() as stack:
        running = {
            name: stack.enter_context(servers.Gunicorn(app, env | extra))
            for name, app, extra, _ in CASES
        }
        urls = {name: loadgen.Target(running[name].url, SLUG, TOKEN) for name in names}
        runs = {name: [loadgen.run(urls[name], WARMUP, texts)] for name in names}
        for number in range(ROUNDS):
            for name in names[number % len(names) :] + names[: number % len(names)]:
                load = metered(running[name], db, urls[name], MEASURE // ROUNDS, texts)
                runs[name].append(load)
        return runs, (running["ours"].worker_rss_mib(), running["ours"].worker_pss_mib())


def metered(
    server: servers.Gunicorn, db: servers.Postgres, url: str, seconds: int, texts: Path
) -> Load:
    """One measured run, with the CPU the server, PostgreSQL, wrk and the machine used."""
    commits = db.commits()
    before = (server.cpu_seconds(), db.cpu_seconds(), servers.children_cpu_seconds(),
              servers.machine_busy_seconds())  # fmt: skip
    load = loadgen.run(url, seconds, texts)
    load.commits = db.commits() - commits
    load.app_cpu_s = server.cpu_seconds() - before[0]
    load.db_cpu_s = db.cpu_seconds() - before[1]
    load.wrk_cpu_s = servers.children_cpu_seconds() - before[2]
    load.busy_cpu_s = servers.machine_busy_seconds() - before[3]
    return load


def durability(database_url: str) -> str:
    """The settings that make a commit durable; refuses to go on when either is off."""
    with psycopg.connect(database_url) as conn:
        values = {name: conn.execute(f"SHOW {name}").fetchone()[0]
                  for name in ("fsync", "synchronous_commit")}  # fmt: skip
    if set(values.values()) != {"on"}:
        raise SystemExit(f"e2e needs a durable PostgreSQL, got {values}")
    return ", ".join(f"{name}={value}" for name, value in values.items())


def ours_workers() -> str:
    """How config/gunicorn.py runs ours' workers here (WEB_THREADS may change it)."""
    from config import gunicorn

    if gunicorn.worker_class == "gevent":
        return f"gevent, {gunicorn.worker_connections} connections each"
    threads = f", {gunicorn.threads} threads" if gunicorn.threads > 1 else ""
    return f"{gunicorn.worker_class}{threads}"


def main() -> bool:
    with servers.postgres() as db:
        env = environment(db)
        texts, import_s = prepare(env)
        print(heading("3. End-to-end load benchmark",
                      f"PostgreSQL on 127.0.0.1 ({durability(db.url)}); gunicorn, "
                      f"{servers.WORKERS} workers per case (sync; ours as config/gunicorn.py "
                      f"has them: {ours_workers()}); "
                      f"wrk -t{loadgen.THREADS} "
                      f"-c{loadgen.CONNECTIONS}, {WARMUP} s warm-up + {MEASURE} s measured per "
                      f"case in {ROUNDS} interleaved runs; text pushes, unique MsgIds, 1,000 "
                      f"senders, 1 in 20 a retry.\n"
                      f"Ours: {RULES:,} rules imported with manage.py import_rules in "
                      f"{import_s:.1f} s."))  # fmt: skip
        runs, memory = run_cases(env, texts, db)
        storage = check_storage(db.url, SLUG, loadgen.combined(runs["ours"]))
    return report(runs, memory, storage)


def report(
    runs: dict[str, list[Load]], memory: tuple[list[float], list[float]], storage: StorageCheck
) -> bool:
    measured = {name: loadgen.measured(case_runs[1:]) for name, case_runs in runs.items()}
    print_tables(measured)
    ours, lean, orm = measured["ours"], measured["lean peer"], measured["orm peer"]
    ceiling = measured["ceiling"]
    vs_lean, vs_orm = ours.per_second / lean.per_second, ours.per_second / orm.per_second
    vs_ceiling = ours.per_second / ceiling.per_second
    print(
        f"\nThroughput: ours / lean peer = {vs_lean:.2f}x, ours / orm peer = {vs_orm:.2f}x, "
        f"ours / ceiling = {vs_ceiling:.2f}x"
    )
    server = {name: m.app_cpu_ms + m.db_cpu_ms for name, m in measured.items()}
    print(
        "By server CPU per request (app + PostgreSQL; not disturbed by outside load): "
        f"ours / lean peer = {server['lean peer'] / server['ours']:.2f}x, "
        f"ours / orm peer = {server['orm peer'] / server['ours']:.2f}x, "
        f"ours / ceiling = {server['ceiling'] / server['ours']:.2f}x"
    )
    print(breakdown(measured))
    print("\n".join(storage.lines()))
    rss, pss = memory
    print(f"Ours' gunicorn workers after the run, MiB: RSS {', '.join(f'{m:.0f}' for m in rss)}; "
          f"PSS {', '.join(f'{m:.0f}' for m in pss)} (PSS counts each page shared with the\n"
          f"master and the other workers, the imported code, as a share)\n")  # fmt: skip
    checks = [
        goal("ours >= 1.5x the lean peer's throughput", vs_lean >= 1.5, f"{vs_lean:.2f}x"),
        goal("ours >= 0.4x ceiling throughput", vs_ceiling >= 0.4, f"{vs_ceiling:.2f}x"),
        goal("ours p99 < 50 ms", ours.p99_ms < 50, f"{ours.p99_ms:.1f} ms"),
        goal("ours answered only 2xx", ours.not_ok == 0, f"{ours.not_ok} non-2xx"),
        goal(f"a worker's RSS <= {RSS_GOAL} MiB", max(rss) <= RSS_GOAL, f"{max(rss):.0f} MiB"),
        goal("every message stored once, retries deduplicated", storage.passed, storage.verdict),
    ]
    print("\n".join(checks))
    return all("[PASS]" in check for check in checks)


def breakdown(measured: dict[str, loadgen.Measured]) -> str:
    """Where a request's time goes, ours beside the lean peer's, so that each change is
    judged by what it removes. CPU is measured from /proc; the wait is what is left of the
    median latency (on the cores, 2 here, and on commits)."""
    server = measured["ceiling"].app_cpu_ms
    columns = []
    for name in ("ours", "lean peer"):
        m = measured[name]
        cpu = m.app_cpu_ms + m.db_cpu_ms
        columns.append((server, m.app_cpu_ms - server, m.db_cpu_per_row_ms, m.commits_per_row,
                        m.p50_ms - cpu))  # fmt: skip
    parts = (
        "gunicorn + WSGI (the ceiling's CPU per request), ms",
        "the app's Python (its CPU per request beyond the ceiling's), ms",
        "PostgreSQL's CPU per stored message, ms",
        "commits per stored message",
        "waiting, for a core or a commit (p50 latency minus CPU per request), ms",
    )
    rows = [(part, f"{a:.2f}", f"{b:.2f}") for part, a, b in zip(parts, *columns, strict=True)]
    return "\n" + table(("where a request's time goes", "ours", "lean peer"), rows)


def print_tables(measured: dict[str, loadgen.Measured]) -> None:
    for name, *_, what in CASES:
        print(f"  {name}: {what}")
    cases = [(name, m) for name, m in measured.items()]
    print(table(
        ("case", "req/s", "req/s per run", "p50 ms", "p99 ms", "non-2xx", "socket errors"),
        [(name, m.per_second, " / ".join(f"{r:,.0f}" for r in m.rounds), m.p50_ms, m.p99_ms,
          m.not_ok, m.socket_errors) for name, m in cases],
    ))  # fmt: skip
    print("req/s over all measured runs; p50/p99: the median of the runs' percentiles.\n")
    print(table(
        ("case", "app", "PostgreSQL", "wrk", "outside the benchmark"),
        [(name, m.app_cpu_ms, m.db_cpu_ms, m.wrk_cpu_ms, f"{m.outside_pct:.0f}%")
         for name, m in cases],
    ))  # fmt: skip
    print("CPU ms per answered request (user + system) of the gunicorn processes, PostgreSQL\n"
          "and wrk; last column: the share of the machine's CPU that other processes used\n"
          "meanwhile (high: the numbers above are disturbed).")  # fmt: skip


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
