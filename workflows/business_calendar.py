"""Working-hours arithmetic on China's business calendar.

A deadline like "4 working hours" or "by the end of the 5th working day" must skip nights,
the lunch break, weekends and statutory holidays, yet count the Saturdays and Sundays the
State Council turns into make-up workdays (调休上班). Which days work comes, in order, from
an admin-edited override table (it wins: it carries next year's notice before the package
is updated, or a local day off) and from a HolidayProvider (the `holidays` package for
China). Which hours work comes from the windows, the same on every working day.

The arithmetic steps window by window and day by day — never minute by minute — in UTC
instants, so a year of working time costs a few hundred steps and a zone with DST would
still be measured in real elapsed time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from types import MappingProxyType

from workflows.calendar_base import (
    ONE_DAY,
    CalendarError,
    EndOfDay,
    check_count,
    check_delta,
    check_end_of_day,
    duration,
    local_day,
    minutes_of,
    resolve_zone,
    to_utc,
)
from workflows.holiday_data import HolidayProvider, china_holidays

#: 09:00–12:00 and 13:30–18:00: the back-office day, lunch excluded.
DEFAULT_WINDOWS: tuple[tuple[time, time], ...] = (
    (time(9, 0), time(12, 0)),
    (time(13, 30), time(18, 0)),
)
#: A calendar without a single working day for this long is misconfigured (e.g. overrides
#: marking a whole year off); stopping beats looping for ever.
MAX_IDLE_DAYS = 366

Window = tuple[datetime, datetime]


def normalize_windows(windows: Sequence[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    """Check the daily windows: naive times, start < end, sorted, not overlapping. An end of
    00:00 means midnight at the end of the day (24:00), since `time` cannot say 24:00."""
    result: list[tuple[time, time]] = []
    previous_end = timedelta(0)
    for pair in windows:
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise CalendarError(f"a window is a (start, end) pair of times, got {pair!r}")
        start, end = pair
        if not (isinstance(start, time) and isinstance(end, time)):
            raise CalendarError(f"window bounds must be datetime.time, got {pair!r}")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise CalendarError("window times are local wall-clock times: leave out tzinfo")
        begins, ends = _offset(start), _offset(end) or ONE_DAY
        if begins >= ends:
            raise CalendarError(f"window {start}–{end} must start before it ends")
        if begins < previous_end:
            raise CalendarError("windows must be sorted and must not overlap")
        previous_end = ends
        result.append((start, end))
    if not result:
        raise CalendarError("a business calendar needs at least one working window")
    return tuple(result)


def _offset(value: time) -> timedelta:
    return timedelta(
        hours=value.hour, minutes=value.minute, seconds=value.second, microseconds=value.microsecond
    )


def _check_overrides(overrides: Mapping[date, bool]) -> dict[date, bool]:
    checked = {}
    for day, working in dict(overrides).items():
        if isinstance(day, datetime) or not isinstance(day, date):
            raise CalendarError(f"override keys must be dates, got {day!r}")
        if not isinstance(working, bool):
            raise CalendarError(f"override for {day} must be True (working) or False (day off)")
        checked[day] = working
    return checked


@dataclass(frozen=True, eq=False, kw_only=True)
class BusinessCalendar:
    """Working days and hours in one time zone.

    Args:
        tz: IANA zone the windows are read in (China has one zone and no DST).
        windows: (start, end) local times of each working day; an end of 00:00 is 24:00.
        overrides: date → True (working day) / False (day off); wins over the provider.
        holidays_provider: statutory days; default: China from the `holidays` package.
        official_years: years whose notice the admins have entered as overrides, so
            `has_official_data` stops warning about them.
    """

    tz: str | tzinfo = "Asia/Shanghai"
    windows: Sequence[tuple[time, time]] = DEFAULT_WINDOWS
    overrides: Mapping[date, bool] = field(default_factory=dict)
    holidays_provider: HolidayProvider | None = None
    official_years: Iterable[int] = ()
    zone: tzinfo = field(init=False, repr=False)
    _offsets: tuple[tuple[timedelta, timedelta], ...] = field(init=False, repr=False)
    _days: dict[date, tuple[Window, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        windows = normalize_windows(self.windows)
        put = object.__setattr__  # frozen: the normalised values are set once, here
        put(self, "zone", resolve_zone(self.tz))
        put(self, "windows", windows)
        put(self, "overrides", MappingProxyType(_check_overrides(self.overrides)))
        put(self, "holidays_provider", self.holidays_provider or china_holidays())
        put(self, "official_years", frozenset(self.official_years))
        put(self, "_offsets", tuple((_offset(s), _offset(e) or ONE_DAY) for s, e in windows))
        put(self, "_days", {})

    # Days ------------------------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """Override first, then the provider (statutory holidays, 调休 make-up days)."""
        day = local_day(day, self.zone)
        found = self.overrides.get(day)
        if found is not None:
            return found
        return self.holidays_provider.is_working_day(day)

    def holiday_name(self, day: date) -> str | None:
        """The provider's name for a day off, for screens (None for working days)."""
        day = local_day(day, self.zone)
        return None if self.is_working_day(day) else self.holidays_provider.holiday_name(day)

    def has_official_data(self, year: int) -> bool:
        """False for a year with neither the package's notice nor one entered by admins: its
        dates are the package's guesses, so screens show "no official data for 2027"."""
        return year in self.official_years or self.holidays_provider.has_official_data(year)

    def working_windows(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's windows as aware local datetimes; empty on a day off."""
        return [(a.astimezone(self.zone), b.astimezone(self.zone)) for a, b in self._windows(day)]

    def day_end(self, day: date, end_of_day: EndOfDay = "close") -> datetime:
        """When a working day ends for a day-based deadline: its last window's close, or
        midnight (the next day's 00:00)."""
        check_end_of_day(end_of_day)
        day = local_day(day, self.zone)
        if end_of_day == "midnight":
            return datetime.combine(day + ONE_DAY, time(0), tzinfo=self.zone)
        windows = self._windows(day)
        if not windows:
            raise CalendarError(f"{day} is not a working day: it has no close")
        return windows[-1][1].astimezone(self.zone)

    # Instants --------------------------------------------------------------------------

    def next_working_instant(self, t: datetime) -> datetime:
        """`t` itself inside a window, else the start of the next window. Windows are
        half-open: at 18:00 the day is over."""
        now = to_utc(t, "t")
        for windows in self._days_from(now):
            for begins, ends in windows:
                if now < ends:
                    return max(now, begins).astimezone(self.zone)
        raise AssertionError("unreachable: _days_from raises first")  # pragma: no cover

    def add_working_time(self, start: datetime, delta: timedelta) -> datetime:
        """The instant `delta` of working time after `start`. When the time runs out exactly
        at a window's end, the answer is that end (18:00), not the next window's start."""
        now, left = to_utc(start, "start"), check_delta(delta)
        for windows in self._days_from(now):
            for begins, ends in windows:
                if now >= ends:
                    continue
                now = max(now, begins)
                if left <= ends - now:
                    return (now + left).astimezone(self.zone)
                left -= ends - now
                now = ends
        raise AssertionError("unreachable: _days_from raises first")  # pragma: no cover

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        """`add_working_time` in minutes (int or float, ≥ 0)."""
        return self.add_working_time(start, duration(minutes))

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        """Working time from `a` to `b`; negative when `b` is before `a`."""
        first, last = to_utc(a, "a"), to_utc(b, "b")
        if last < first:
            return -self.working_time_between(b, a)
        total = timedelta(0)
        day = first.astimezone(self.zone).date()
        last_day = last.astimezone(self.zone).date()
        while day <= last_day:
            for begins, ends in self._windows(day):
                overlap = min(ends, last) - max(begins, first)
                if overlap > timedelta(0):
                    total += overlap
            day += ONE_DAY
        return total

    def working_minutes_between(self, a: datetime, b: datetime) -> float:
        """`working_time_between` in minutes (a float; exact to the microsecond)."""
        return minutes_of(self.working_time_between(a, b))

    def end_of_nth_working_day(
        self, start: datetime, n: int, end_of_day: EndOfDay = "close"
    ) -> datetime:
        """ "By the end of the Nth working day after receipt" (自受理次日起 N 个工作日): the
        count starts on the first working day after the day of `start`, whatever its hour.

        n = 0 means the same working day: the day of `next_working_instant(start)`, so a
        ticket received after the close (or on a day off) gets the next working day, never a
        deadline that has already passed.
        """
        check_count(n)
        check_end_of_day(end_of_day)
        if n == 0:
            return self.day_end(self.next_working_instant(start).date(), end_of_day)
        day = to_utc(start, "start").astimezone(self.zone).date()
        counted = idle = 0
        while counted < n:
            day += ONE_DAY
            if self.is_working_day(day):
                counted, idle = counted + 1, 0
            else:
                idle = self._idle(idle + 1, day)
        return self.day_end(day, end_of_day)

    # Internals -------------------------------------------------------------------------

    def _windows(self, day: date) -> tuple[Window, ...]:
        """The day's windows as UTC instants, cached per date (a few hundred a year)."""
        found = self._days.get(day)
        if found is None:
            found = ()
            if self.is_working_day(day):
                midnight = datetime.combine(day, time(0), tzinfo=self.zone)
                # Wall-clock offsets, then UTC: right across a DST change in other zones.
                found = tuple(
                    ((midnight + s).astimezone(UTC), (midnight + e).astimezone(UTC))
                    for s, e in self._offsets
                )
            self._days[day] = found
        return found

    def _days_from(self, now: datetime) -> Iterable[tuple[Window, ...]]:
        """The windows of each working day from the local day of `now` on."""
        day, idle = now.astimezone(self.zone).date(), 0
        while True:
            windows = self._windows(day)
            if windows:
                idle = 0
                yield windows
            else:
                idle = self._idle(idle + 1, day)
            day += ONE_DAY

    def _idle(self, idle: int, day: date) -> int:
        if idle > MAX_IDLE_DAYS:
            raise CalendarError(
                f"no working day in the {MAX_IDLE_DAYS} days up to {day}: check the overrides"
            )
        return idle
