"""The SVG charts on their own: points in, well-formed, escaped, accessible SVG out."""

import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString

from autoreply.reports.charts import NO_DATA, Part, bar_chart, nice_ceiling, stacked_bar

NS = "{http://www.w3.org/2000/svg}"
HOSTILE = "<script>alert(\"x\")</script> & 'quotes'"


def parse(svg: str) -> ET.Element:
    """Parsing proves the markup is well-formed: an unescaped text would break it."""
    return ET.fromstring(svg)  # noqa: S314  (our own output, not untrusted input)


def rects(root: ET.Element, cls: str) -> list[ET.Element]:
    return [rect for rect in root.iter(f"{NS}rect") if cls in rect.get("class", "").split()]


def texts(root: ET.Element, cls: str) -> list[str]:
    return [text.text or "" for text in root.iter(f"{NS}text") if text.get("class") == cls]


def test_one_bar_per_point_with_heights_in_proportion():
    svg = bar_chart([("05-01", 2), ("05-02", 0), ("05-03", 5)], title="Per day", height=200)
    bars = rects(parse(svg), "bar")
    assert len(bars) == 3
    heights = [float(bar.get("height")) for bar in bars]
    assert heights[1] == 0
    assert heights[0] * 5 == pytest.approx(heights[2] * 2)
    assert [bar.find(f"{NS}title").text for bar in bars] == ["05-01: 2", "05-02: 0", "05-03: 5"]


def test_bars_stand_on_the_same_baseline():
    bars = rects(parse(bar_chart([("a", 3), ("b", 7)], title="t")), "bar")
    bottoms = {float(bar.get("y")) + float(bar.get("height")) for bar in bars}
    assert len(bottoms) == 1


def test_x_labels_are_thinned_to_stay_readable():
    points = [(f"day {n}", n) for n in range(90)]
    root = parse(bar_chart(points, title="Quarter"))
    labels = texts(root, "x-label")
    assert len(rects(root, "bar")) == 90
    assert labels == [f"day {n}" for n in range(0, 90, 9)]


def test_the_y_scale_is_rounded_up_and_labelled():
    labels = texts(parse(bar_chart([("a", 37)], title="t")), "y-label")
    assert labels == ["0", "25", "50"]
    assert [nice_ceiling(value) for value in (0, 1, 3, 10, 11, 37, 180, 501)] == [
        1, 1, 5, 10, 20, 50, 200, 1000,
    ]  # fmt: skip


def test_all_zero_points_draw_empty_bars_without_dividing_by_zero():
    root = parse(bar_chart([("a", 0), ("b", 0)], title="t"))
    assert [bar.get("height") for bar in rects(root, "bar")] == ["0", "0"]


def test_no_points_says_no_data():
    root = parse(bar_chart([], title="Nothing"))
    assert rects(root, "bar") == []
    assert texts(root, "empty") == [NO_DATA]


def test_every_text_is_escaped():
    svg = bar_chart([(HOSTILE, 1)], title=HOSTILE)
    assert "<script>" not in svg
    root = parse(svg)
    assert root.get("aria-label") == HOSTILE
    assert root.find(f"{NS}title").text == HOSTILE
    assert texts(root, "x-label") == [HOSTILE]


def test_charts_are_labelled_for_screen_readers_and_marked_safe():
    for svg in (bar_chart([("a", 1)], title="Per day"), stacked_bar([], title="Per day")):
        root = parse(svg)
        assert isinstance(svg, SafeString)
        assert (root.get("role"), root.get("aria-label")) == ("img", "Per day")
        assert root.find(f"{NS}title").text == "Per day"
        assert root.get("fill") == "currentColor"  # follows the page's text colour


def test_a_stacked_bar_splits_its_width_in_proportion():
    parts = [
        Part("answered", 3, "reply"),
        Part("none", 0, "silence"),
        Part("unmatched", 1, "no_rule"),
    ]
    root = parse(stacked_bar(parts, title="Shares", width=400))
    segments = rects(root, "part")
    assert [segment.get("class") for segment in segments] == [
        "part part-reply",
        "part part-no_rule",
    ]
    assert [(segment.get("x"), segment.get("width")) for segment in segments] == [
        ("0", "300"),
        ("300", "100"),
    ]
    titles = [segment.find(f"{NS}title").text for segment in segments]
    assert titles == ["answered: 3 (75.0%)", "unmatched: 1 (25.0%)"]


def test_a_stacked_bar_escapes_labels_and_sanitises_kinds():
    svg = stacked_bar([Part(HOSTILE, 1, '" onload="x')], title="t")
    root = parse(svg)
    (segment,) = rects(root, "part")
    assert segment.get("class") == "part part-onloadx"
    assert segment.find(f"{NS}title").text == f"{HOSTILE}: 1 (100.0%)"


def test_an_empty_stacked_bar_says_no_data():
    root = parse(stacked_bar([Part("a", 0, "reply")], title="t"))
    assert rects(root, "part") == []
    assert texts(root, "empty") == [NO_DATA]
