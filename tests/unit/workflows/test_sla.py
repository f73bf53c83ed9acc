"""SLA clocks: targets, due and warn instants, pause/resume, extensions, lights, recompute."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from workflows.business_calendar import BusinessCalendar
from workflows.calendar_base import CalendarError
from workflows.sla import (
    ClockError,
    Segment,
    build_clock,
    consumed_at,
    extend,
    pause,
    recompute,
    remaining_minutes,
    resume,
    start_clock,
    state,
    stop,
    years_without_official_data,
)
from workflows.sla_target import SlaTarget

SH = ZoneInfo("Asia/Shanghai")
FOUR_HOURS = SlaTarget.working_hours(4)  # warn at 75 %: after 3 working hours


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture(scope="module")
def cal() -> BusinessCalendar:
    return BusinessCalendar()  # 09:00–12:00, 13:30–18:00


# Targets -------------------------------------------------------------------------------


def test_working_hours_target(cal):
    clock = start_clock(FOUR_HOURS, cal, sh(2026, 3, 6, 16))  # Friday
    assert clock.budget_minutes == 240 and clock.consumed_minutes == 0
    assert clock.due_at == sh(2026, 3, 9, 11)  # Monday
    assert clock.warn_at == sh(2026, 3, 9, 10)
    assert clock.running and not clock.paused and clock.started_at == sh(2026, 3, 6, 16)


def test_calendar_hours_target_ignores_nights_and_holidays(cal):
    clock = start_clock(SlaTarget.calendar_hours(2), cal, sh(2025, 10, 1, 23))
    assert clock.due_at == sh(2025, 10, 2, 1)
    assert clock.warn_at == sh(2025, 10, 2, 0, 30)


@pytest.mark.parametrize(
    ("end_of_day", "due"), [("close", sh(2025, 10, 14, 18)), ("midnight", sh(2025, 10, 15))]
)
def test_working_days_target(cal, end_of_day, due):
    # 12345 办结: 5 working days 自次日起 — 10/9, 10/10, 10/11 (调休 Sat), 10/13, 10/14.
    target = SlaTarget.working_days(5, end_of_day=end_of_day)
    clock = start_clock(target, cal, sh(2025, 9, 30, 10))
    assert clock.due_at == due == cal.end_of_nth_working_day(clock.started_at, 5, end_of_day)
    assert clock.budget_minutes == 390 + 5 * 450  # 9/30 from 10:00 (6.5 h) + five days


def test_targets_from_process_deadlines():
    assert SlaTarget.from_deadline({"working_hours": 4}) == FOUR_HOURS
    assert SlaTarget.from_deadline({"hours": 2}) == SlaTarget.calendar_hours(2)
    assert SlaTarget.from_deadline({"working_days": 3}, end_of_day="midnight") == (
        SlaTarget.working_days(3, end_of_day="midnight")
    )
    assert SlaTarget.working_days(5).label() == "5 个工作日"
    assert FOUR_HOURS.label() == "4 个工作小时"
    for bad in ({}, {"weeks": 1}, {"hours": 1, "working_days": 1}):
        with pytest.raises(CalendarError):
            SlaTarget.from_deadline(bad)
    with pytest.raises(CalendarError):
        SlaTarget("working_days", 1.5)
    with pytest.raises(CalendarError):
        SlaTarget("working_minutes", 60, warn_percent=120)
    with pytest.raises(CalendarError):
        SlaTarget("fortnights", 1)


# Lights --------------------------------------------------------------------------------


def test_green_yellow_red(cal):
    clock = start_clock(FOUR_HOURS, cal, sh(2026, 3, 6, 16))
    assert state(clock, sh(2026, 3, 6, 17)) == "green"
    assert state(clock, sh(2026, 3, 9, 9, 59)) == "green"
    assert state(clock, sh(2026, 3, 9, 10)) == "yellow"  # 75 % used: 黄灯
    assert state(clock, sh(2026, 3, 9, 11)) == "red"  # due reached: 红灯
    with pytest.raises(CalendarError, match="timezone-aware"):
        state(clock, datetime(2026, 3, 9, 11))


def test_custom_warn_percent(cal):
    clock = start_clock(SlaTarget.working_hours(4, warn_percent=50), cal, sh(2026, 3, 9, 9))
    assert clock.warn_at == sh(2026, 3, 9, 11)


def test_a_stopped_clock_keeps_its_light(cal):
    clock = start_clock(FOUR_HOURS, cal, sh(2026, 3, 9, 9))
    on_time = stop(clock, cal, sh(2026, 3, 9, 10))
    assert on_time.stopped and on_time.stopped_at == sh(2026, 3, 9, 10)
    assert on_time.due_at == clock.due_at  # the deadline it had, for reports
    assert state(on_time, sh(2027, 1, 1, 0)) == "green"
    late = stop(clock, cal, sh(2026, 3, 10, 9))
    assert state(late, sh(2026, 3, 10, 9)) == "red" and late.consumed_minutes == 450
    for move in (pause, resume, stop):
        with pytest.raises(ClockError):
            move(late, cal, sh(2026, 3, 11, 9))


# Pause and resume ----------------------------------------------------------------------


def test_pause_keeps_the_remaining_budget(cal):
    clock = start_clock(FOUR_HOURS, cal, sh(2026, 3, 9, 9))
    held = pause(clock, cal, sh(2026, 3, 9, 10))  # 挂起 after one working hour
    assert held.paused and held.paused_at == sh(2026, 3, 9, 10)
    assert held.consumed_minutes == 60 and held.due_at is None and held.warn_at is None
    assert state(held, sh(2026, 3, 20, 9)) == "green"  # a pause never turns a clock red
    assert remaining_minutes(held, cal, sh(2026, 3, 20, 9)) == 180
    back = resume(held, cal, sh(2026, 3, 11, 14))  # Wednesday afternoon
    assert back.due_at == sh(2026, 3, 11, 17)  # the remaining 3 h
    assert back.warn_at == sh(2026, 3, 11, 16)
    assert consumed_at(back, cal, sh(2026, 3, 11, 15)) == 120
    assert [(s.start, s.end) for s in back.segments] == [
        (sh(2026, 3, 9, 9), sh(2026, 3, 9, 10)),
        (sh(2026, 3, 11, 14), None),
    ]
    with pytest.raises(ClockError):
        pause(held, cal, sh(2026, 3, 9, 11))
    with pytest.raises(ClockError):
        resume(back, cal, sh(2026, 3, 11, 15))


def test_pause_after_the_warning_stays_yellow_and_after_the_due_red(cal):
    clock = start_clock(FOUR_HOURS, cal, sh(2026, 3, 9, 9))
    yellow = pause(clock, cal, sh(2026, 3, 9, 12))
    assert yellow.warn_at == sh(2026, 3, 9, 12) and yellow.due_at is None
    assert state(yellow, sh(2026, 3, 30, 9)) == "yellow"
    red = pause(clock, cal, sh(2026, 3, 9, 15))
    assert red.due_at == sh(2026, 3, 9, 14, 30) and state(red, sh(2026, 3, 9, 15)) == "red"
    assert resume(red, cal, sh(2026, 3, 10, 9)).due_at == sh(2026, 3, 9, 14, 30)


def test_a_paused_clock_stops_where_it_paused(cal):
    held = pause(start_clock(FOUR_HOURS, cal, sh(2026, 3, 9, 9)), cal, sh(2026, 3, 9, 10))
    done = stop(held, cal, sh(2026, 3, 12, 9))
    assert done.stopped_at == sh(2026, 3, 9, 10) and done.consumed_minutes == 60


def test_day_based_deadlines_end_at_a_day_end_after_resume(cal):
    target = SlaTarget.working_days(1)  # Monday 10:00 → Tuesday 18:00
    clock = start_clock(target, cal, sh(2026, 3, 9, 10))
    assert clock.due_at == sh(2026, 3, 10, 18)
    held = pause(clock, cal, sh(2026, 3, 9, 11))
    back = resume(held, cal, sh(2026, 3, 11, 9))  # 13 h left: runs out Thu 15:30
    assert back.due_at == sh(2026, 3, 12, 18)


def test_midnight_convention_counts_the_evening_of_the_due_day(cal):
    clock = start_clock(SlaTarget.working_days(1, end_of_day="midnight"), cal, sh(2026, 3, 9, 10))
    assert clock.due_at == sh(2026, 3, 11, 0)  # Tuesday 24:00
    assert state(stop(clock, cal, sh(2026, 3, 10, 20)), sh(2026, 3, 12)) != "red"
    assert state(stop(clock, cal, sh(2026, 3, 11, 9, 30)), sh(2026, 3, 12)) == "red"
    assert state(clock, sh(2026, 3, 10, 23, 59)) != "red"


# Extensions ----------------------------------------------------------------------------


def test_extend_by_minutes_and_to_a_new_due(cal):
    clock = start_clock(FOUR_HOURS, cal, sh(2026, 3, 9, 9))  # due 14:30
    longer = extend(clock, cal, extra_minutes=120)
    assert longer.due_at == sh(2026, 3, 9, 16, 30) and longer.budget_minutes == 360
    assert longer.warn_at == sh(2026, 3, 9, 15)  # 75 % of the new budget
    moved = extend(clock, cal, new_due=sh(2026, 3, 10, 14, 30))
    assert moved.due_at == sh(2026, 3, 10, 14, 30) and moved.extensions == (450,)
    twice = extend(longer, cal, extra_minutes=30)
    assert twice.extensions == (120, 30) and twice.due_at == sh(2026, 3, 9, 17)


def test_extend_a_day_based_deadline_by_working_days(cal):
    # 延期: "一般不超过10个工作日" — the new deadline is 10 working days after the old one.
    clock = start_clock(SlaTarget.working_days(5), cal, sh(2025, 9, 30, 10))
    new_due = cal.end_of_nth_working_day(clock.due_at, 10)
    assert extend(clock, cal, new_due=new_due).due_at == new_due == sh(2025, 10, 28, 18)


def test_extension_refusals(cal):
    clock = start_clock(FOUR_HOURS, cal, sh(2026, 3, 9, 9))
    with pytest.raises(ClockError):
        extend(clock, cal)
    with pytest.raises(ClockError):
        extend(clock, cal, extra_minutes=10, new_due=sh(2026, 3, 10, 9))
    with pytest.raises(ClockError):
        extend(clock, cal, new_due=sh(2026, 3, 9, 10))  # earlier than the due
    with pytest.raises(ClockError):
        extend(clock, cal, extra_minutes=0)
    held = pause(clock, cal, sh(2026, 3, 9, 10))
    with pytest.raises(ClockError):
        extend(held, cal, new_due=sh(2026, 3, 10, 9))
    more = extend(held, cal, extra_minutes=60)  # a paused clock takes minutes
    assert resume(more, cal, sh(2026, 3, 10, 9)).due_at == sh(2026, 3, 10, 14, 30)  # 4 h left
    with pytest.raises(ClockError):
        extend(stop(clock, cal, sh(2026, 3, 9, 10)), cal, extra_minutes=60)


# Recompute from segments ---------------------------------------------------------------


def test_recompute_after_a_calendar_change(cal):
    clock = start_clock(FOUR_HOURS, cal, sh(2026, 3, 6, 16))
    assert clock.due_at == sh(2026, 3, 9, 11)
    monday_off = BusinessCalendar(overrides={date(2026, 3, 9): False})
    again = recompute(clock, monday_off)
    assert again.due_at == sh(2026, 3, 10, 11) and again.segments == clock.segments
    day_based = start_clock(SlaTarget.working_days(1), cal, sh(2026, 3, 6, 16))
    assert recompute(day_based, monday_off).due_at == sh(2026, 3, 10, 18)


def test_consumed_is_rebuilt_from_segments(cal):
    segments = [
        Segment(sh(2026, 3, 9, 9), sh(2026, 3, 9, 10)),  # 60
        Segment(sh(2026, 3, 9, 11, 30), sh(2026, 3, 9, 14)),  # 30 + 30 (lunch skipped)
        Segment(sh(2026, 3, 10, 9)),
    ]
    clock = build_clock(FOUR_HOURS, segments, cal, extensions=[30])
    assert clock.consumed_minutes == 120 and clock.budget_minutes == 270
    assert clock.due_at == sh(2026, 3, 10, 11, 30)
    stored = [s.as_dict() for s in clock.segments]
    assert stored[2] == {"start": "2026-03-10T09:00:00+08:00", "end": None}
    restored = build_clock(FOUR_HOURS, [Segment.from_dict(s) for s in stored], cal, extensions=[30])
    assert restored == clock


def test_segments_are_checked(cal):
    t = sh(2026, 3, 9, 9)
    for segments in (
        [],
        [Segment(t), Segment(t + timedelta(hours=1))],  # an open segment before the last
        [Segment(t, t + timedelta(hours=2)), Segment(t + timedelta(hours=1))],  # overlap
        [Segment(t, t - timedelta(hours=1))],  # ends before it starts
    ):
        with pytest.raises(ClockError):
            build_clock(FOUR_HOURS, segments, cal)
    with pytest.raises(ClockError):
        build_clock(FOUR_HOURS, [Segment(t)], cal, stopped=True)
    with pytest.raises(CalendarError, match="timezone-aware"):
        start_clock(FOUR_HOURS, cal, datetime(2026, 3, 9, 9))
    with pytest.raises(CalendarError, match="timezone-aware"):
        pause(start_clock(FOUR_HOURS, cal, t), cal, datetime(2026, 3, 9, 10))


def test_years_without_official_data(cal):
    late = start_clock(SlaTarget.working_days(5), cal, sh(2026, 12, 29, 10))
    assert late.due_at.year == 2027
    assert years_without_official_data(late, cal) == (2027,)
    assert years_without_official_data(start_clock(FOUR_HOURS, cal, sh(2026, 3, 9)), cal) == ()
