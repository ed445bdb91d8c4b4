"""Where ours spends its CPU under the e2e load: py-spy on every gunicorn worker.

Same set-up and load as `bench/run e2e` (ours only, run as production runs it, with
config/gunicorn.py); py-spy samples all workers while wrk sends. Of the samples taken
on CPU while a worker handles a request or commits a batch (time spent waiting is in
`bench/run e2e`'s breakdown), prints the innermost frames with the largest share and our
own functions by inclusive share; the raw collapsed stacks stay in
bench/results/ours-profile.txt.
"""

import collections
import subprocess
import sys
import threading
from collections.abc import Iterator

from bench import e2e, loadgen, servers
from bench.report import heading, table

SECONDS = 20
RAW = e2e.RESULTS / "ours-profile.txt"
TOP = 40
OURS = ("autoreply/", "wechat/", "config/")
# A worker busy with one connection (sync, threaded or gevent), or its group commit.
REQUEST_FRAMES = (
    "SyncWorker.handle ",
    "ThreadWorker.handle ",
    "AsyncWorker.handle ",
    "Committer._serve ",
)


def record(master: int) -> None:
    command = [str(servers.VENV_BIN / "py-spy"), "record", "--pid", str(master),
               "--subprocesses", "--function", "--rate", "200",
               "--duration", str(SECONDS - 4), "--format", "raw", "--output", str(RAW)]  # fmt: skip
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stacks() -> Iterator[tuple[list[str], int]]:
    """(frames outermost first, sample count) of the samples taken while handling a request."""
    for line in RAW.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = [f for f in stack.split(";") if not f.startswith("process ")]
        if any(f.startswith(REQUEST_FRAMES) for f in frames):
            yield frames, int(count)


def summarize() -> tuple[list[tuple[str, float]], list[tuple[str, float]]]:
    """The frames with most samples of their own, and our code's frames by inclusive share."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for frames, count in stacks():
        total += count
        inclusive.update(dict.fromkeys(frames, count))
        own[frames[-1]] += count
    ours = [(f, n) for f, n in inclusive.most_common() if f.split("(")[-1].startswith(OURS)]
    return (
        [(frame, 100 * n / total) for frame, n in own.most_common(TOP)],
        [(frame, 100 * n / total) for frame, n in ours[:TOP]],
    )


def main() -> bool:
    subprocess.run([str(servers.VENV_BIN / "python"), "-m", "pip", "install", "--quiet",
                    "--disable-pip-version-check", "py-spy"], check=True)  # fmt: skip
    with servers.postgres() as db:
        env = e2e.environment(db)
        texts, _ = e2e.prepare(env)
        with servers.Gunicorn(
            "config.wsgi:application", env | {"BENCH_GUNICORN_CONFIG": "1"}
        ) as server:
            url = loadgen.Target(server.url, e2e.SLUG, e2e.TOKEN)
            loadgen.run(url, e2e.WARMUP, texts)
            spy = threading.Thread(target=record, args=(server.process.pid,))
            spy.start()
            load = loadgen.run(url, SECONDS, texts)
            spy.join()
    print(
        heading(
            "Profile of ours under load (py-spy, all workers)",
            f"{load.per_second:,.0f} req/s while sampled; raw stacks in {RAW}",
        )
    )
    own, ours = summarize()
    print(table(("innermost frame (CPU while handling a request)", "%"), own))
    print()
    print(table(("our code, inclusive", "%"), ours))
    return True


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
