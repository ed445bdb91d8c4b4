"""Time windows as pure functions: parsing days and hours, the compiled window, and the
rule index leaving out rules outside their time. No database, no HTTP."""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from autoreply.rules.matching import KeywordSpec, RuleIndex, RuleSpec
from autoreply.rules.schedule import (
    Moment,
    ScheduleError,
    compile_window,
    parse_days,
    parse_time,
    weekly_spans,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")


def at(text: str, zone: ZoneInfo = SHANGHAI) -> int:
    """Epoch seconds of a local wall-clock time (2027-01-04 is a Monday)."""
    return int(datetime.fromisoformat(text).replace(tzinfo=zone).timestamp())


def window(*entries: tuple[str, str, str], start=None, until=None, zone=SHANGHAI):
    schedule = [{"days": d, "from": f, "to": t} for d, f, t in entries]
    return compile_window(start, until, schedule, zone)


def inside(win, text: str, zone: ZoneInfo = SHANGHAI) -> bool:
    return win.contains(Moment(at(text, zone)))


@dataclass(frozen=True)
class Msg:
    msg_type: str = "text"
    text: str = ""
    event: str = ""
    event_key: str = ""
    create_time: int = 0

    @property
    def is_event(self) -> bool:
        return self.msg_type == "event"


def test_days_in_ranges_and_commas():
    assert parse_days("mon-fri") == {0, 1, 2, 3, 4}
    assert parse_days("mon-wed,fri") == {0, 1, 2, 4}
    assert parse_days("Sat, Sun") == {5, 6}
    assert parse_days("fri-mon") == {4, 5, 6, 0}  # a range may wrap over the weekend
    assert parse_days("sun") == {6}


@pytest.mark.parametrize(
    "text", ["mon-fry", "", "monday", "mon-", "mon,,fri", "1-5", "mon-fri-sat"]
)
def test_days_that_do_not_parse(text):
    with pytest.raises(ValueError):
        parse_days(text)


def test_times():
    assert parse_time("00:00") == 0
    assert parse_time("09:30") == 570
    assert parse_time("23:59") == 1439
    assert parse_time("24:00", end=True) == 1440


@pytest.mark.parametrize("text", ["25:00", "24:00", "9:00", "12:60", "noon", "12:00:00", ""])
def test_times_that_do_not_parse(text):
    with pytest.raises(ValueError):
        parse_time(text)


@pytest.mark.parametrize(
    ("entry", "key", "code"),
    [
        ({}, "days", "empty_entry"),
        ({"days": "", "from": " ", "to": ""}, "days", "empty_entry"),
        ({"days": "mon-fry", "from": "09:00", "to": "18:00"}, "days", "bad_days"),
        ({"days": "mon", "from": "25:00", "to": "18:00"}, "from", "bad_time"),
        ({"days": "mon", "from": "09:00", "to": "9pm"}, "to", "bad_time"),
        ({"days": "mon", "from": "09:00", "to": "09:00"}, "to", "same_time"),
        ({"days": "mon", "from": "09:00"}, "to", "missing"),
        ("mon-fri", "days", "empty_entry"),
    ],
)
def test_schedule_errors_name_the_entry_and_key(entry, key, code):
    with pytest.raises(ScheduleError) as raised:
        weekly_spans([{"days": "sun", "from": "10:00", "to": "11:00"}, entry])
    assert (raised.value.entry, raised.value.key, raised.value.code) == (1, key, code)


def test_office_hours():
    win = window(("mon-fri", "09:00", "18:00"))
    assert inside(win, "2027-01-04T09:00")  # Monday, the first minute
    assert inside(win, "2027-01-08T17:59:59")  # Friday, the last second
    assert not inside(win, "2027-01-04T08:59:59")
    assert not inside(win, "2027-01-04T18:00")  # `to` is not included
    assert not inside(win, "2027-01-09T12:00")  # Saturday


def test_past_midnight_belongs_to_the_day_it_starts():
    win = window(("fri", "22:00", "02:00"))
    assert inside(win, "2027-01-08T22:00")  # Friday night
    assert inside(win, "2027-01-09T01:59")  # the early hours of Saturday
    assert not inside(win, "2027-01-09T02:00")
    assert not inside(win, "2027-01-08T01:00")  # Friday's early hours belong to Thursday
    assert not inside(win, "2027-01-09T23:00")  # Saturday night is not Friday's


def test_sunday_night_runs_into_monday_morning():
    win = window(("sun", "23:00", "01:00"))
    assert inside(win, "2027-01-10T23:30")
    assert inside(win, "2027-01-11T00:30")  # the next week's Monday
    assert not inside(win, "2027-01-11T01:00")
    assert not inside(win, "2027-01-10T00:30")


def test_to_midnight_and_whole_days():
    assert inside(window(("sat", "18:00", "24:00")), "2027-01-09T23:59")
    assert not inside(window(("sat", "18:00", "24:00")), "2027-01-10T00:00")
    assert inside(window(("sat", "18:00", "00:00")), "2027-01-09T23:59")  # the same
    whole = window(("sat,sun", "00:00", "24:00"))
    assert inside(whole, "2027-01-09T00:00") and inside(whole, "2027-01-10T23:59")
    assert not inside(whole, "2027-01-11T00:00")


def test_several_entries_any_one_is_enough():
    win = window(
        ("mon-fri", "09:00", "12:00"), ("mon-fri", "13:00", "18:00"), ("sat", "10:00", "14:00")
    )
    assert inside(win, "2027-01-05T11:00") and inside(win, "2027-01-05T13:00")
    assert not inside(win, "2027-01-05T12:30")  # lunch
    assert inside(win, "2027-01-09T10:00") and not inside(win, "2027-01-10T10:00")


def test_bounds_from_included_until_not():
    start = datetime(2027, 1, 28, 0, 0, tzinfo=SHANGHAI)
    until = datetime(2027, 2, 5, 0, 0, tzinfo=SHANGHAI)
    win = compile_window(start, until, [], SHANGHAI)
    assert inside(win, "2027-01-28T00:00") and inside(win, "2027-02-04T23:59:59")
    assert not inside(win, "2027-01-27T23:59:59") and not inside(win, "2027-02-05T00:00")
    only_from = compile_window(start, None, [], SHANGHAI)
    assert inside(only_from, "2099-01-01T00:00") and not inside(only_from, "2027-01-01T00:00")


def test_bounds_and_schedule_together():
    start = datetime(2027, 1, 5, 0, 0, tzinfo=SHANGHAI)
    win = window(("mon", "09:00", "18:00"), start=start)
    assert not inside(win, "2027-01-04T10:00")  # a Monday, but before active_from
    assert inside(win, "2027-01-11T10:00")


def test_no_limits_compile_to_no_window():
    assert compile_window(None, None, [], SHANGHAI) is None


def test_wall_clock_hours_hold_across_daylight_saving():
    win = window(("mon-sun", "09:00", "10:00"), zone=BERLIN)
    assert inside(win, "2027-03-27T09:30", BERLIN)  # the day before the clocks go forward
    assert inside(win, "2027-03-29T09:30", BERLIN)  # the day after
    assert not inside(win, "2027-03-29T10:30", BERLIN)


def timed(rule_id: int, win, *keywords: tuple[str, str], **fields) -> RuleSpec:
    return RuleSpec(
        id=rule_id,
        name=f"r{rule_id}",
        keywords=tuple(KeywordSpec(mode, pattern) for mode, pattern in keywords),
        window=win,
        **fields,
    )


def ids(index: RuleIndex, msg: Msg, when: int | None = None) -> list[int]:
    return [hit.rule.id for hit in index.candidates(msg, when)]


def test_index_leaves_out_rules_outside_their_time_by_create_time():
    office = window(("mon-fri", "09:00", "18:00"))
    closed = window(("mon-fri", "18:00", "09:00"), ("sat,sun", "00:00", "24:00"))
    index = RuleIndex(
        [
            timed(1, office, ("contains", "hours"), priority=10),
            timed(2, closed, ("contains", "hours"), priority=10),
            timed(3, None, ("contains", "hours"), priority=0),
        ]
    )
    monday_noon, monday_night = at("2027-01-04T12:00"), at("2027-01-04T20:00")
    assert ids(index, Msg(text="hours?", create_time=monday_noon)) == [1, 3]
    assert ids(index, Msg(text="hours?", create_time=monday_night)) == [2, 3]
    assert ids(index, Msg(text="hours?", create_time=monday_night), when=monday_noon) == [1, 3]


def test_a_rule_becomes_active_at_its_hour_without_a_rebuild():
    index = RuleIndex([timed(1, window(("mon", "09:00", "10:00")), msg_type="text")])
    assert ids(index, Msg(text="x", create_time=at("2027-01-04T08:59:59"))) == []
    assert ids(index, Msg(text="x", create_time=at("2027-01-04T09:00"))) == [1]


def test_timed_regex_events_and_type_rules():
    night = window(("mon-sun", "22:00", "06:00"))
    index = RuleIndex(
        [
            timed(1, night, ("regex", r"^order (\d+)$"), priority=5),
            timed(2, night, msg_type="image"),
            timed(3, night, msg_type="event", event="subscribe"),
            timed(4, None, ("regex", r"^order"), priority=1),
        ]
    )
    day, late = at("2027-01-04T12:00"), at("2027-01-04T23:00")
    assert ids(index, Msg(text="order 7", create_time=day)) == [4]
    assert ids(index, Msg(text="order 7", create_time=late)) == [1, 4]
    assert ids(index, Msg(msg_type="image", create_time=day)) == []
    assert ids(index, Msg(msg_type="image", create_time=late)) == [2]
    assert ids(index, Msg(msg_type="event", event="subscribe", create_time=late)) == [3]
    assert ids(index, Msg(msg_type="event", event="subscribe", create_time=day)) == []


def test_any_time_lists_rules_outside_their_time_too():
    index = RuleIndex(
        [timed(1, window(("mon", "09:00", "10:00")), msg_type="text"), timed(2, None)]
    )
    late = Msg(text="x", create_time=at("2027-01-04T11:00"))
    assert ids(index, late) == [2]
    assert [hit.rule.id for hit in index.candidates(late, any_time=True)] == [1, 2]
