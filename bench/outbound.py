"""Outbound benchmark: reply all through the real processes (PostgreSQL, gunicorn, one
`manage.py worker`, the API stand-in).

1. Follow-up latency: a 5-reply `all` rule; for each push, the time from the passive
   answer reaching the client to the stand-in receiving the 4th (last) follow-up.
2. Throughput: pushes queue follow-ups while no worker runs; then one worker starts and
   drains them: sends per second between the first and the last one the stand-in received.
"""

import json
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

from bench import e2e, servers
from bench.report import goal, heading, table
from wechat.signature import sign
from wechat.standin import StandIn
from wechat.xmlwriter import write_xml

SLUG, TOKEN = "bench", "benchtoken"
LATENCY_PUSHES = 20
THROUGHPUT_PUSHES = 150  # x 4 follow-ups each
REPLIES = 5


def rules_file() -> Path:
    replies = [{"type": "text", "content": f"part {n + 1} of {REPLIES}"} for n in range(REPLIES)]
    rule = {
        "name": "all five",
        "keywords": [{"mode": "exact", "pattern": "全部"}],
        "msg_type": "text",
        "reply_mode": "all",
        "replies": replies,
    }
    account = {
        "slug": SLUG,
        "name": "Bench",
        "app_id": "wx2c2769f8efd9abc2",
        "token": TOKEN,
        "encryption_mode": "plain",
        "app_secret": "bench-secret",
        "rules": [rule],
    }
    path = Path(tempfile.mkdtemp()) / "outbound-rules.json"
    path.write_text(json.dumps({"accounts": [account]}, ensure_ascii=False), encoding="utf-8")
    return path


def push(base: str, openid: str, msg_id: int) -> float:
    """POST one signed text push; returns when its answer arrived (epoch seconds)."""
    timestamp, nonce = str(int(time.time())), "bench"
    query = urlencode(
        {"signature": sign(TOKEN, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    )
    body = write_xml(
        {
            "ToUserName": "gh_bench",
            "FromUserName": openid,
            "CreateTime": int(time.time()),
            "MsgType": "text",
            "Content": "全部",
            "MsgId": msg_id,
        }
    )
    request = urllib.request.Request(f"{base}/wechat/{SLUG}/?{query}", data=body)
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert b"part 1 of" in answer.read(), "the passive reply is the first reply"
    return time.time()


def wait_sent(standin: StandIn, count: int, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while len(standin.state.sent) < count:
        if time.monotonic() > deadline:
            raise RuntimeError(f"only {len(standin.state.sent)} of {count} sends in {seconds} s")
        time.sleep(0.01)


def worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    command = [str(servers.VENV_BIN / "python"), "manage.py", "worker", "--poll", "0.5"]
    return subprocess.Popen(command, cwd=servers.ROOT, env=env)


def latency(base: str, standin: StandIn, env: dict[str, str]) -> list[float]:
    process = worker(env)
    try:
        times = []
        for n in range(LATENCY_PUSHES):
            openid = f"oLatency{n}"
            answered = push(base, openid, 10_000 + n)
            deadline = time.monotonic() + 30
            while len([m for m in standin.state.sent if m["touser"] == openid]) < REPLIES - 1:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{openid}'s follow-ups did not all arrive")
                time.sleep(0.002)
            last = max(m["received_at"] for m in standin.state.sent if m["touser"] == openid)
            times.append((last - answered) * 1000)
        return times
    finally:
        process.terminate()
        process.wait(timeout=30)


def throughput(base: str, standin: StandIn, env: dict[str, str]) -> float:
    already = len(standin.state.sent)
    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(lambda n: push(base, f"oLoad{n}", 20_000 + n), range(THROUGHPUT_PUSHES)))
    total = THROUGHPUT_PUSHES * (REPLIES - 1)
    process = worker(env)
    try:
        wait_sent(standin, already + total)
    finally:
        process.terminate()
        process.wait(timeout=30)
    received = [m["received_at"] for m in standin.state.sent[already:]]
    return (len(received) - 1) / (max(received) - min(received))


def main() -> None:
    print(heading("outbound", __doc__.splitlines()[0]))
    standin = StandIn()
    threading.Thread(target=standin.serve_forever, daemon=True).start()
    with servers.postgres() as pg:
        env = e2e.environment(pg) | {"WECHAT_API_BASE_URL": standin.base_url}
        e2e.python(env, "manage.py", "migrate", "--noinput")
        e2e.python(env, "manage.py", "import_rules", str(rules_file()))
        with servers.Gunicorn("config.wsgi:application", env) as web:
            times = latency(web.url, standin, env)
            rate = throughput(web.url, standin, env)
    standin.shutdown()
    p50, p95 = statistics.median(times), statistics.quantiles(times, n=20)[-1]
    print(
        table(
            ["measure", "value"],
            [
                [f"answer -> last of {REPLIES - 1} follow-ups, median (ms)", p50],
                [f"answer -> last of {REPLIES - 1} follow-ups, p95 (ms)", p95],
                ["sends per second, one worker (concurrency 4)", rate],
                ["token fetches", standin.state.token_fetches],
            ],
        )
    )
    print(goal("follow-ups within a second", p95 < 1000, f"p95 {p95:.0f} ms"))
    print(
        goal("one token fetch", standin.state.token_fetches == 1, f"{standin.state.token_fetches}")
    )


if __name__ == "__main__":
    main()
