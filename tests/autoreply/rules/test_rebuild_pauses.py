"""A rules rebuild under gevent: the greenlet building the index pauses every
PAUSE_EVERY rules, so that the worker's other pushes go on meanwhile (in a process of its
own, since gevent must patch the standard library before anything else runs)."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# One greenlet builds an index of 3,000 regex rules (compiling is the slow part); another
# notes the time every millisecond it gets to run. Prints the build's length and the
# longest the other greenlet went without running.
BUILD_BESIDE_A_TICKER = """
from gevent import monkey; monkey.patch_all()
import json, time, gevent
from autoreply.rules.matching import KeywordSpec, RuleIndex, RuleSpec
rules = [RuleSpec(id=n, name=f"r{n}", msg_type="text",
                  keywords=(KeywordSpec("regex", rf"order-{n}-(\\d+)x{{1,3}}"),))
         for n in range(3000)]
ticks, done = [], []
def ticker():
    while not done:
        ticks.append(time.monotonic())
        gevent.sleep(0.001)
def build():
    started = time.monotonic()
    RuleIndex(rules)
    done.append(time.monotonic() - started)
beside = gevent.spawn(ticker)
gevent.joinall([gevent.spawn(build)])
beside.join()
print(json.dumps({"build": done[0], "gap": max(b - a for a, b in zip(ticks, ticks[1:]))}))
"""


def test_other_greenlets_run_while_a_greenlet_rebuilds_the_rules():
    result = subprocess.run(
        [sys.executable, "-c", BUILD_BESIDE_A_TICKER],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    measured = json.loads(result.stdout)
    assert measured["build"] > 0.05  # long enough for a stall to show
    assert measured["gap"] < measured["build"] / 4, measured
