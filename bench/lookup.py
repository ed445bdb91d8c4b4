"""Lookup benchmark: answering from a 100,000-entry lookup table against a plain text reply.

One durable PostgreSQL and one gunicorn (the e2e's workers and wrk load) serve two accounts
whose only difference is the reply of the workpiece finder's rule (fixtures/bots/
workpiece-finder.json): `bench-text` answers with fixed text, `bench-lookup` with the
finder's template reading a 100,000-entry table (imported with import_rules). Same texts
(`?12-345`, 90% of them keys in the table), measured runs interleaved. The workers' RSS is
read before and after they load the table, beside the table's own size in Python.
"""

import json
import random
import statistics
import sys
import time
import urllib.request
from pathlib import Path

import psycopg

from bench import e2e, loadgen, rulegen, servers
from bench.loadgen import Load
from bench.report import goal, heading, table
from wechat.replies import TextReply, parse_reply
from wechat.xmlwriter import write_xml

FINDER = servers.ROOT / "fixtures" / "bots" / "workpiece-finder.json"
TEXT, LOOKUP = "bench-text", "bench-lookup"
ENTRIES, TEXTS, MISSES = 100_000, 1_000, 0.1
WARMUP, ROUNDS, SECONDS = 5, 6, 3  # warm-up s per case; measured runs per case, s each
PLAIN = "请到车间看板查询工作台位，或联系调度员。"
HALLS = ("车体新厂房", "转向架车间", "总装车间A区", "总装车间B区", "油漆车间", "锻造车间")
COST_LIMIT = 1.2  # lookup / text, app CPU per request


def entries() -> dict[str, str]:
    """{key: value}: `10-000` to `109-999`, as the workers hold them (keys normalised)."""
    return {f"{10 + i // 1000}-{i % 1000:03d}": f"{HALLS[i % len(HALLS)]}{i % 40 + 1}号"
            for i in range(ENTRIES)}  # fmt: skip


def table_bytes(data: dict[str, str]) -> int:
    """The table's own size in a worker: the dict and its key and value strings."""
    return sys.getsizeof(data) + sum(sys.getsizeof(k) + sys.getsizeof(v) for k, v in data.items())


def rules_file(data: dict[str, str]) -> Path:
    finder = json.loads(FINDER.read_text(encoding="utf-8"))["accounts"][0]
    rule = next(r for r in finder["rules"] if "lookup" in r["replies"][0]["content"])
    base = {"name": "Benchmark", "app_id": "wxbench00000000001", "token": e2e.TOKEN,
            "encoding_aes_key": "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"}  # fmt: skip
    plain = rule | {"replies": [{"type": "text", "content": PLAIN}]}
    accounts = [
        base | {"slug": TEXT, "rules": [plain]},
        base | {"slug": LOOKUP, "rules": [rule], "lookups": {"workpieces": data}},
    ]
    path = e2e.RESULTS / "bench-lookup-rules.json"
    path.write_text(json.dumps({"accounts": accounts}, ensure_ascii=False), encoding="utf-8")
    return path


def texts_file(data: dict[str, str]) -> Path:
    """Queries as workers type them (`?`, `？`, a space), some for keys not in the table."""
    rng, keys = random.Random(rulegen.SEED), list(data)
    lines = []
    for i in range(TEXTS):
        key = f"{200 + i}-{i % 1000:03d}" if rng.random() < MISSES else rng.choice(keys)
        lines.append(("?", "？", "? ", "？ ")[i % 4] + key)
    path = e2e.RESULTS / "bench-lookup-texts.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def ask(target: loadgen.Target, content: str) -> TextReply:
    """One push through the webhook, to check what the benchmark is about to measure."""
    body = write_xml({"ToUserName": "gh_bench0000001", "FromUserName": "oBenchCheck",
                      "CreateTime": 1, "MsgType": "text", "Content": content,
                      "MsgId": random.getrandbits(62)})  # fmt: skip
    request = urllib.request.Request(target.url(), data=body, headers={"Content-Type": "text/xml"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return parse_reply(response.read())  # type: ignore[return-value]


def check_replies(urls: dict[str, loadgen.Target], data: dict[str, str]) -> list[str]:
    key, value = next(iter(data.items()))
    expected = {TEXT: PLAIN, LOOKUP: f"[{key}]的工作台位为[{value}]"}
    got = {slug: ask(url, f"？ {key}").content for slug, url in urls.items()}
    return [f"{slug}: expected {expected[slug]!r}, got {got[slug]!r}"
            for slug in urls if got[slug] != expected[slug]]  # fmt: skip


STATUS_QUERY = """
SELECT a.slug, count(*), count(*) FILTER (WHERE m.status = 'reply'),
       count(*) FILTER (WHERE m.reply LIKE '%没有找到工件%')
FROM autoreply_message m JOIN autoreply_account a ON a.id = m.account_id GROUP BY a.slug
"""


def statuses(database_url: str) -> dict[str, tuple[int, int, int]]:
    """Per account: rows, rows answered by the rule, of those 'not found' answers."""
    with psycopg.connect(database_url) as conn:
        return {slug: tuple(counts) for slug, *counts in conn.execute(STATUS_QUERY)}


def measure(db: servers.Postgres, env: dict[str, str], texts: Path) -> dict:
    """Warm up the text account, read RSS, warm up the lookup account, read RSS again,
    then the measured runs of both, interleaved (the order alternating)."""
    with servers.Gunicorn("config.wsgi:application", env) as server:
        urls = {slug: loadgen.Target(server.url, slug, e2e.TOKEN) for slug in (TEXT, LOOKUP)}
        runs: dict[str, list[Load]] = {TEXT: [loadgen.run(urls[TEXT], WARMUP, texts)]}
        rss_without = server.worker_rss_mib()
        runs[LOOKUP] = [loadgen.run(urls[LOOKUP], WARMUP, texts)]
        rss_with = server.worker_rss_mib()
        wrong = check_replies(urls, entries())
        for number in range(ROUNDS):
            for slug in (TEXT, LOOKUP) if number % 2 == 0 else (LOOKUP, TEXT):
                runs[slug].append(e2e.metered(server, db, urls[slug], SECONDS, texts))
    return {"runs": runs, "rss": (rss_without, rss_with), "wrong": wrong}


def main() -> bool:
    data = entries()
    with servers.postgres() as db:
        env = e2e.environment(db)
        e2e.RESULTS.mkdir(exist_ok=True)
        e2e.python(env, "manage.py", "migrate", "--noinput")
        started = time.monotonic()
        e2e.python(env, "manage.py", "import_rules", str(rules_file(data)))
        import_s = time.monotonic() - started
        print(heading("4. Lookup benchmark",
                      f"PostgreSQL on 127.0.0.1 ({e2e.durability(db.url)}); gunicorn, "
                      f"{servers.WORKERS} sync workers; wrk -t{loadgen.THREADS} "
                      f"-c{loadgen.CONNECTIONS}; {WARMUP} s warm-up + {ROUNDS} x {SECONDS} s per "
                      f"case, interleaved. The workpiece finder's rule (regex "
                      f"^[?？]\\s*(\\d+-\\d+)$) answering\n  {TEXT}: fixed text;\n  {LOOKUP}: "
                      f"its template, from a {ENTRIES:,}-entry table (import_rules: "
                      f"{import_s:.1f} s).\n"
                      f"Texts: ?12-345 style, {1 - MISSES:.0%} keys in the table, 1 in 20 a "
                      f"retry."))  # fmt: skip
        result = measure(db, env, texts_file(data))
        stored = statuses(db.url)
    return report(result, stored, table_bytes(data))


def paired_ratios(runs: dict[str, list[Load]]) -> list[float]:
    """Per round, lookup's app CPU per request over text's (the warm-ups left out)."""

    def per_request(load: Load) -> float:
        return load.app_cpu_s / load.completed

    pairs = zip(runs[LOOKUP][1:], runs[TEXT][1:], strict=True)
    return [per_request(lookup) / per_request(text) for lookup, text in pairs]


def report(result: dict, stored: dict[str, tuple[int, int, int]], size: int) -> bool:
    measured = {slug: loadgen.measured(runs[1:]) for slug, runs in result["runs"].items()}
    print_runs(measured)
    pairs = paired_ratios(result["runs"])
    cost = statistics.median(pairs)
    text, lookup = measured[TEXT], measured[LOOKUP]
    print(f"\nlookup / text, app CPU per request: {cost:.2f}x, the median of the rounds' "
          f"{' / '.join(f'{r:.2f}' for r in pairs)}\n(a round's two runs are back to back, under "
          f"the same outside load); over all runs: {lookup.app_cpu_ms / text.app_cpu_ms:.2f}x. "
          f"Throughput: {lookup.per_second / text.per_second:.2f}x.")  # fmt: skip
    growth, mib = print_memory(*result["rss"], size)
    for slug, (rows, replied, not_found) in sorted(stored.items()):
        print(f"Stored for {slug}: {rows:,} messages, {replied:,} answered by the rule, "
              f"{not_found:,} of them 'not found'.")  # fmt: skip
    all_replied = all(rows == replied for rows, replied, _ in stored.values())
    checks = [
        goal(f"a lookup reply costs <= {COST_LIMIT}x a text reply (app CPU per request)",
             cost <= COST_LIMIT, f"{cost:.2f}x"),
        goal("the replies are what the rules say", not result["wrong"],
             "; ".join(result["wrong"]) or "checked one of each"),
        goal("only 2xx, every message answered by the rule",
             text.not_ok + lookup.not_ok == 0 and all_replied,
             f"{text.not_ok + lookup.not_ok} non-2xx"),
        goal("RSS growth per worker <= 2x the table's own size", growth <= 2 * mib,
             f"{growth:.1f} MiB for a {mib:.1f} MiB table"),
    ]  # fmt: skip
    print("\n" + "\n".join(checks))
    return all("[PASS]" in check for check in checks)


def print_runs(measured: dict[str, loadgen.Measured]) -> None:
    print(table(
        ("case", "req/s", "req/s per run", "p50 ms", "p99 ms", "app CPU ms", "PostgreSQL ms",
         "outside"),
        [(slug, m.per_second, " / ".join(f"{r:,.0f}" for r in m.rounds), m.p50_ms, m.p99_ms,
          m.app_cpu_ms, m.db_cpu_ms, f"{m.outside_pct:.0f}%") for slug, m in measured.items()],
    ))  # fmt: skip
    print("CPU ms per answered request of the gunicorn processes and of PostgreSQL; outside:\n"
          "the share of the machine's CPU other processes used meanwhile (high: req/s is\n"
          "disturbed; CPU per request much less so).")  # fmt: skip


def print_memory(without: list[float], with_table: list[float], size: int) -> tuple[float, float]:
    """Prints the workers' RSS before and after loading the table; returns the largest
    growth and the table's own size, in MiB."""
    growth = [after - before for before, after in zip(without, with_table, strict=True)]
    mib = size / 2**20
    print(f"RSS per worker (MiB) before the lookup account was loaded: "
          f"{', '.join(f'{x:.0f}' for x in without)}; after: "
          f"{', '.join(f'{x:.0f}' for x in with_table)}; growth: "
          f"{', '.join(f'{x:.1f}' for x in growth)}.\nThe table's own size (the dict, its keys "
          f"and values; sys.getsizeof): {mib:.1f} MiB for {ENTRIES:,} entries.")  # fmt: skip
    return max(growth), mib


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
