"""Matching micro-benchmark: the cost of `RuleIndex.candidates()` as the rule set grows.

The same messages go through indexes of 10, 1,000 and 10,000 rules (bench/rulegen.py:
exact and contains keywords, half Chinese, 10% regex, keyword-less type rules and a
lowest-priority default rule); each message takes its first candidate, as the webhook
does. No database: RuleSpecs are built straight from the generated rules.
"""

import sys
import time
from functools import partial

from autoreply.rules.matching import KeywordSpec, RuleIndex, RuleSpec
from bench import rulegen
from bench.report import goal, heading, medians_us, table
from wechat.messages import Message, parse_message
from wechat.xmlwriter import write_xml

SIZES = (10, 1_000, 10_000)
SMALLEST_KEYWORD_RULES = SIZES[0] - rulegen.SPECIAL  # every message targets these rules
NUMBER = 200  # passes over the message set per round


def rule_specs(n: int) -> list[RuleSpec]:
    specs = []
    for number, rule in enumerate(rulegen.rules(n), start=1):
        keywords = tuple(KeywordSpec(k["mode"], k["pattern"]) for k in rule.get("keywords", ()))
        specs.append(RuleSpec(
            id=number, name=rule["name"], priority=rule.get("priority", 0),
            msg_type=rule["msg_type"], event=rule.get("event", ""), keywords=keywords,
        ))  # fmt: skip
    return specs


def push(msg_type: str, **fields: object) -> Message:
    document = {"ToUserName": "gh_bench", "FromUserName": "oBenchUser", "CreateTime": 1700000000,
                "MsgType": msg_type, **fields}  # fmt: skip
    return parse_message(write_xml(document))


def messages() -> list[Message]:
    """Hits on exact, contains and regex keywords, misses, and one image."""
    texts = rulegen.texts(SMALLEST_KEYWORD_RULES, 40, misses=0.25)
    pushes = [push("text", Content=text, MsgId=i) for i, text in enumerate(texts)]
    return [*pushes, push("image", PicUrl="http://127.0.0.1/p.jpg", MediaId="m1", MsgId=99)]


def first_hits(index: RuleIndex, batch: list[Message]) -> list[object]:
    return [next(index.candidates(message), None) for message in batch]


def measure() -> list[tuple[str, float, float, str]]:
    batch = messages()
    indexes, built_ms = {}, {}
    for size in SIZES:
        started = time.perf_counter()
        indexes[size] = RuleIndex(rule_specs(size))
        built_ms[size] = (time.perf_counter() - started) * 1000
    works = {size: partial(first_hits, index, batch) for size, index in indexes.items()}
    per_batch = medians_us(works, number=NUMBER)  # type: ignore[arg-type]
    rows = []
    for size, index in indexes.items():
        answered = {hit.rule.name for hit in first_hits(index, batch) if hit}
        rows.append((f"{size:,}", per_batch[size] / len(batch), built_ms[size],
                     f"{len(answered)} rules"))  # fmt: skip
    return rows


def main() -> bool:
    print(heading("2. Matching micro-benchmark (RuleIndex.candidates, first hit)",
                  f"{len(messages())} messages (exact/contains/regex hits, misses, an image), "
                  f"{NUMBER} passes per round, median of 7 rounds (the sizes' rounds "
                  "interleaved)."))  # fmt: skip
    rows = measure()
    print(table(("rules", "µs/message", "index build ms", "first hits went to"), rows))
    ratio = rows[-1][1] / rows[0][1]
    check = goal(f"{SIZES[-1]:,} rules cost at most 2x what {SIZES[0]} cost",
                 ratio <= 2, f"{SIZES[-1]:,} : {SIZES[0]} = {ratio:.2f}x")  # fmt: skip
    print(check)
    return "[PASS]" in check


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
