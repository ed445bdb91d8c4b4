"""Timing and printing shared by the parts: timeit-style medians, tables, goal verdicts."""

import statistics
import time
from collections.abc import Callable, Mapping, Sequence

ROUNDS = 7


def medians_us(
    works: Mapping[str, Callable[[], object]], *, number: int, rounds: int = ROUNDS
) -> dict[str, float]:
    """For each work, the median over `rounds` of the time one call takes, in microseconds.

    The rounds of all works are interleaved, so a burst of outside load hits them alike.
    """
    for work in works.values():  # warm caches and lazy imports first
        for _ in range(max(1, number // 10)):
            work()
    times: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(rounds):
        for name, work in works.items():
            started = time.perf_counter()
            for _ in range(number):
                work()
            times[name].append((time.perf_counter() - started) / number)
    return {name: statistics.median(values) * 1e6 for name, values in times.items()}


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        first = row[0].ljust(widths[0])
        rest = (value.rjust(width) for value, width in zip(row[1:], widths[1:], strict=True))
        return "  ".join([first, *rest]).rstrip()

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}" if value < 100 else f"{value:,.0f}"
    return str(value)


def goal(label: str, passed: bool, detail: str) -> str:
    return f"  [{'PASS' if passed else 'FAIL'}] {label}: {detail}"


def heading(title: str, what: str) -> str:
    return f"\n=== {title} ===\n{what}\n"
