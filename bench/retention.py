"""Retention: a month of a million-row year removed, and the webhook's p99 meanwhile.

The clock is shifted instead of waiting a year: the year of days is laid out ahead of
today (the partitions created ahead, then filled with SQL), the webhook is pushed
CreateTimes of that year's last day, and ageing runs "a year and a month later" with a
year's retention, so exactly the first 30 days go.
"""

import os
import statistics
import threading
import time
import urllib.request
from urllib.parse import urlencode

from bench import e2e, servers
from bench.report import goal, heading, table
from wechat.signature import sign
from wechat.xmlwriter import write_xml

SLUG, TOKEN = "bench", "benchtoken"
ROWS = 1_000_000
DAYS = 365
MONTH = 30
DAY = 86400
CLIENTS = 4
WINDOW_SECONDS = 4.0

FILL = """
INSERT INTO autoreply_message
    (dedup_key, from_user, to_user, create_time, create_day, msg_type, event, event_key,
     text, fields, raw_xml, status, reply, error, retries, account_id)
SELECT gen_random_uuid(), 'oFollower' || (g %% 1000), 'gh_bench', t, t / 86400, 'text', '',
       '', 'hello', '{}', '<xml/>', 'reply', '', '', 0, %s
FROM generate_series(0, %s - 1) g, LATERAL (SELECT %s::bigint + g * %s AS t) AS ct
"""


def setup_django(pg: servers.Postgres) -> None:
    os.environ.update(e2e.environment(pg))
    import django

    django.setup()


def fill(start: int) -> float:
    """The year of days ahead, then a million rows spread over it; seconds it took."""
    from django.db import connection

    from autoreply import retention
    from autoreply.models import Account

    account = Account.objects.create(
        slug=SLUG,
        name="Bench",
        app_id="wx2c2769f8efd9abc2",
        token=TOKEN,
        encryption_mode="plain",
    )
    retention.age(now=start + (DAYS - retention.AHEAD_DAYS) * DAY)
    began = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(FILL, [account.id, ROWS, start, DAYS * DAY // ROWS])
        cursor.execute("ANALYZE autoreply_message")
    return time.monotonic() - began


def push(url: str, create_time: int, msg_id: int) -> float:
    """One signed push; its latency in ms."""
    timestamp, nonce = str(int(time.time())), f"n{msg_id}"
    query = urlencode(
        {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    )
    body = write_xml(
        {
            "ToUserName": "gh_bench",
            "FromUserName": f"oBench{msg_id % 50}",
            "CreateTime": create_time,
            "MsgType": "text",
            "Content": "hi",
            "MsgId": msg_id,
        }
    )
    began = time.perf_counter()
    with urllib.request.urlopen(f"{url}/wechat/{SLUG}/?{query}", data=body, timeout=10) as r:
        r.read()
    return (time.perf_counter() - began) * 1000


def load(url: str, create_time: int, first_id: int, during=None) -> tuple[list, list]:
    """CLIENTS pushing for WINDOW_SECONDS; `during` runs in the middle. Returns every
    (start, end, ms) and the pushes that overlapped `during`."""
    samples: list[tuple[float, float, float]] = []
    stop = time.monotonic() + WINDOW_SECONDS
    ids = iter(range(first_id, first_id + 10_000_000))

    def client() -> None:
        while time.monotonic() < stop:
            began = time.monotonic()
            ms = push(url, create_time, next(ids))
            samples.append((began, time.monotonic(), ms))

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    span = (0.0, 0.0)
    if during is not None:
        time.sleep(WINDOW_SECONDS / 2)
        span = (time.monotonic(), 0.0)
        during()
        span = (span[0], time.monotonic())
    for thread in threads:
        thread.join()
    overlapping = [s for s in samples if s[0] <= span[1] and s[1] >= span[0]]
    return samples, overlapping


def p99(samples: list) -> float:
    return statistics.quantiles([s[2] for s in samples], n=100)[-1]


def main() -> None:
    print(heading("retention", __doc__.splitlines()[0]))
    with servers.postgres() as pg:
        env = e2e.environment(pg) | {"AUTOREPLY_RETENTION_DAYS": str(DAYS)}
        e2e.python(env, "manage.py", "migrate", "--noinput")
        setup_django(pg)
        from django.conf import settings

        from autoreply import retention

        start = int(time.time()) // DAY * DAY
        settings.AUTOREPLY_RETENTION_DAYS = 0  # laying out the year: nothing dropped yet
        fill_seconds = fill(start)
        later = start + (DAYS + MONTH) * DAY + 3600
        retention.age(now=later)  # the days ahead of "later", so that only the drop is timed
        settings.AUTOREPLY_RETENTION_DAYS = DAYS
        last_day = start + (DAYS - 1) * DAY + 43200
        with servers.Gunicorn("config.wsgi:application", env) as web:
            load(web.url, last_day, 1)  # warm-up
            baseline, _ = load(web.url, last_day, 1_000_000)
            result: dict[str, object] = {}

            def ageing() -> None:
                began = time.perf_counter()
                result["aged"] = retention.age(now=later)
                result["seconds"] = time.perf_counter() - began

            during, overlapping = load(web.url, last_day, 2_000_000, ageing)
    aged = result["aged"]
    seconds = float(result["seconds"])  # type: ignore[arg-type]
    print(
        table(
            ["measure", "value"],
            [
                [
                    f"rows over {DAYS} day partitions (filled in s)",
                    f"{ROWS:,} ({fill_seconds:.0f})",
                ],
                ["day partitions dropped", len(aged.dropped)],
                ["removing them, whole ageing run (ms)", seconds * 1000],
                ["webhook p99 without ageing (ms)", p99(baseline)],
                ["webhook p99 in the window with ageing (ms)", p99(during)],
                ["pushes answered while ageing ran", len(overlapping)],
                ["slowest of those (ms)", max((s[2] for s in overlapping), default=0.0)],
                ["pushes per window (without / with)", f"{len(baseline)} / {len(during)}"],
            ],
        )
    )
    print(
        goal(
            "a month removed well under a second",
            seconds < 0.5 and len(aged.dropped) == MONTH,
            f"{len(aged.dropped)} partitions in {seconds * 1000:.0f} ms",
        )
    )
    print(
        goal(
            "the webhook not slowed",
            p99(during) < 2 * p99(baseline) + 20,
            f"p99 {p99(during):.1f} ms vs {p99(baseline):.1f} ms",
        )
    )


if __name__ == "__main__":
    main()
