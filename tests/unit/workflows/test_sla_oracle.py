"""SLA due times against an independent oracle (reliability test plan T17).

The oracle knows nothing of workflows/: it walks the calendar one minute at a time and asks
of each minute "is it a working minute, and is the clock running?". Its calendar is typed
from the State Council's 2026 notice (china-domain.md §2.1: days off and 调休 make-up
Saturdays/Sundays), not read from the `holidays` package, so the production calendar —
package data, admin overrides, windows with the lunch break — is checked end to end.
Hypothesis draws starts (often near holidays and window edges), targets of the three kinds,
pauses (挂起 … 恢复), extensions (延期) and overrides; the production clock must land on the
oracle's instant exactly (warn instants to the millisecond: a fractional share of minutes).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workflows import sla
from workflows.business_calendar import BusinessCalendar
from workflows.sla_target import SlaTarget

SH = ZoneInfo("Asia/Shanghai")
MINUTE = timedelta(minutes=1)
DAY = timedelta(days=1)
#: Working windows in minutes of the local day: 09:00–12:00 and 13:30–18:00.
WINDOWS = ((9 * 60, 12 * 60), (13 * 60 + 30, 18 * 60))


def _span(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


#: 国务院办公厅 2025-11-04: the 2026 days off and make-up working days.
OFF_2026 = (
    _span(date(2026, 1, 1), date(2026, 1, 3))
    | _span(date(2026, 2, 15), date(2026, 2, 23))
    | _span(date(2026, 4, 4), date(2026, 4, 6))
    | _span(date(2026, 5, 1), date(2026, 5, 5))
    | _span(date(2026, 6, 19), date(2026, 6, 21))
    | _span(date(2026, 9, 25), date(2026, 9, 27))
    | _span(date(2026, 10, 1), date(2026, 10, 7))
)
MAKE_UP_2026 = {
    date(2026, 1, 4),
    date(2026, 2, 14),
    date(2026, 2, 28),
    date(2026, 5, 9),
    date(2026, 9, 20),
    date(2026, 10, 10),
}
#: Days next to the holidays and make-up days, where the rules bite.
NEAR = sorted(
    {d + timedelta(days=k) for d in OFF_2026 | MAKE_UP_2026 for k in (-2, -1, 0, 1)}
    - {date(2025, 12, 30), date(2025, 12, 31)}
)


# The oracle -----------------------------------------------------------------------------


class Oracle:
    def __init__(self, overrides: dict[date, bool], pauses: list[tuple[datetime, datetime]]):
        self.overrides = overrides
        self.pauses = pauses

    def working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        if day in MAKE_UP_2026:
            return True
        if day in OFF_2026:
            return False
        return day.weekday() < 5

    def working_minute(self, t: datetime) -> bool:
        """The minute [t, t + 1 min) lies in a window of a working day."""
        if not self.working_day(t.date()):
            return False
        of_day = t.hour * 60 + t.minute
        return any(a <= of_day < b for a, b in WINDOWS)

    def skip(self, t: datetime) -> datetime:
        """From a minute outside working time to the next window start (or midnight): only
        idle minutes are skipped, so the walk stays minute by minute where time counts."""
        of_day = t.hour * 60 + t.minute
        if self.working_day(t.date()):
            for a, _b in WINDOWS:
                if of_day < a:
                    return t + timedelta(minutes=a - of_day)
        return datetime.combine(t.date() + DAY, time(0), tzinfo=SH)

    def running(self, t: datetime) -> bool:
        return not any(p <= t < r for p, r in self.pauses)

    def walk(self, start: datetime, amount: float, business: bool) -> datetime:
        """Where `amount` minutes of running (working, if `business`) time run out."""
        t, left = start, amount
        while True:
            if business and not self.working_minute(t):
                t = self.skip(t)
                continue
            if self.running(t) and (not business or self.working_minute(t)):
                if left <= 1:
                    return t + timedelta(minutes=left)
                left -= 1
            t += MINUTE

    def count(self, a: datetime, b: datetime) -> int:
        """Working minutes in [a, b) (minute-aligned instants)."""
        n, t = 0, a
        while t < b:
            if self.working_minute(t):
                n, t = n + 1, t + MINUTE
            else:
                t = self.skip(t)
        return n

    def close(self, day: date, end_of_day: str) -> datetime:
        if end_of_day == "midnight":
            return datetime.combine(day + DAY, time(0), tzinfo=SH)
        return datetime.combine(day, time(WINDOWS[-1][1] // 60, WINDOWS[-1][1] % 60), tzinfo=SH)

    def nth_day(self, start: datetime, n: int) -> date:
        """The Nth working day after the day of `start`; n = 0: the day work next happens."""
        day = start.date()
        if n == 0:
            t = start
            while not self.working_minute(t):
                t += MINUTE
            return t.date()
        while n:
            day += DAY
            n -= self.working_day(day)
        return day


# Strategies -----------------------------------------------------------------------------

EDGES = [time(h, m) for h, m in ((0, 0), (8, 59), (9, 0), (11, 59), (12, 0), (13, 29),
                                 (13, 30), (17, 59), (18, 0), (23, 59))]  # fmt: skip
days = st.one_of(
    st.sampled_from(NEAR), st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 11, 15))
)
times = st.one_of(
    st.sampled_from(EDGES),
    st.builds(time, st.integers(0, 23), st.integers(0, 59)),
)


@st.composite
def cases(draw, kinds: tuple[str, ...]):
    day = draw(days)
    start = datetime.combine(day, draw(times), tzinfo=SH)
    kind = draw(st.sampled_from(kinds))
    if kind == "working_days":
        target = SlaTarget(
            kind, draw(st.integers(0, 8)), draw(st.integers(1, 100)),
            draw(st.sampled_from(["close", "midnight"])),
        )  # fmt: skip
    else:
        high = 2400 if kind == "working_minutes" else 4320
        target = SlaTarget(kind, draw(st.integers(1, high)), draw(st.integers(1, 100)))
    overrides = draw(
        st.dictionaries(
            st.integers(-2, 25).map(lambda k: day + timedelta(days=k)), st.booleans(), max_size=4
        )
    )
    pauses, t = [], start
    for gap, length in draw(
        st.lists(st.tuples(st.integers(0, 3000), st.integers(0, 5000)), max_size=3)
    ):
        pause_at = t + timedelta(minutes=gap)
        t = pause_at + timedelta(minutes=length)
        pauses.append((pause_at, t))
    extensions = draw(st.lists(st.integers(1, 600), max_size=2))
    return start, target, overrides, pauses, extensions


def _production(start, target, overrides, pauses, extensions) -> sla.SlaClock:
    calendar = BusinessCalendar(overrides=overrides)
    clock = sla.start_clock(target, calendar, start)
    for pause_at, resume_at in pauses:
        clock = sla.pause(clock, calendar, pause_at)
        clock = sla.resume(clock, calendar, resume_at)
    for minutes in extensions:
        clock = sla.extend(clock, calendar, extra_minutes=minutes)
    return clock


def _expected(start, target, overrides, pauses, extensions) -> tuple[datetime, datetime]:
    oracle = Oracle(overrides, pauses)
    business = target.kind != "calendar_minutes"
    if target.kind == "working_days":
        last = oracle.close(oracle.nth_day(start, int(target.amount)), "close")
        budget = oracle.count(start, last)
    else:
        budget = target.amount
    budget += sum(extensions)
    due = oracle.walk(start, budget, business)
    warn = oracle.walk(start, budget * target.warn_percent / 100, business)
    if target.kind == "working_days":
        due = oracle.close(due.date(), target.end_of_day)
    return due, warn


def _check(case) -> None:
    clock = _production(*case)
    due, warn = _expected(*case)
    assert clock.due_at == due, (case, clock.due_at, due)
    assert abs(clock.warn_at - warn) <= timedelta(milliseconds=1), (case, clock.warn_at, warn)


@settings(max_examples=200, deadline=None)
@given(cases(("working_minutes",)))
def test_working_hours_targets_match_the_oracle(case):
    _check(case)


@settings(max_examples=200, deadline=None)
@given(cases(("calendar_minutes",)))
def test_calendar_hours_targets_match_the_oracle(case):
    _check(case)


@settings(max_examples=200, deadline=None)
@given(cases(("working_days",)))
def test_end_of_nth_working_day_targets_match_the_oracle(case):
    _check(case)


@settings(max_examples=200, deadline=None)
@given(days, times, st.integers(0, 10), st.sampled_from(["close", "midnight"]))
def test_end_of_nth_working_day_matches_the_oracle(day, at, n, end_of_day):
    start = datetime.combine(day, at, tzinfo=SH)
    oracle = Oracle({}, [])
    expected = oracle.close(oracle.nth_day(start, n), end_of_day)
    assert BusinessCalendar().end_of_nth_working_day(start, n, end_of_day) == expected


@settings(max_examples=200, deadline=None)
@given(days, times, st.integers(1, 2400), st.integers(0, 30))
def test_extension_to_a_new_deadline_matches_the_oracle(day, at, amount, later_hours):
    """延期 to a given instant: the clock ends there, or at the last working instant before
    it when it falls outside working hours; one that adds no working time is refused."""
    start = datetime.combine(day, at, tzinfo=SH)
    calendar = BusinessCalendar()
    clock = sla.start_clock(SlaTarget("working_minutes", amount), calendar, start)
    new_due = clock.due_at + timedelta(hours=later_hours, minutes=1)
    oracle = Oracle({}, [])
    extra = oracle.count(clock.due_at, new_due)
    if extra == 0:  # e.g. 12:00 → 12:01, the lunch break
        with pytest.raises(sla.ClockError):
            sla.extend(clock, calendar, new_due=new_due)
        return
    extended = sla.extend(clock, calendar, new_due=new_due)
    assert extended.due_at == oracle.walk(start, amount + extra, True)
