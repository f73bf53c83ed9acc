"""Calendar hours: the 24/7 calendar with the business calendar's interface.

Some targets run on the wall clock ("respond within 2 calendar hours", a 24×7 call floor).
Giving them the same interface as BusinessCalendar lets an SLA clock measure either way
without branching: every day works, its one window is the whole day, nothing is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo

from workflows.calendar_base import (
    ONE_DAY,
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


@dataclass(frozen=True, eq=False, kw_only=True)
class CalendarHours:
    """Every instant counts. `tz` only decides where days begin (day-based deadlines, the
    zone of the answers)."""

    tz: str | tzinfo = "Asia/Shanghai"
    zone: tzinfo = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "zone", resolve_zone(self.tz))

    def is_working_day(self, day: date) -> bool:
        local_day(day, self.zone)
        return True

    def holiday_name(self, day: date) -> str | None:
        return None

    def has_official_data(self, year: int) -> bool:
        """Always: calendar hours need no holiday data."""
        return True

    def working_windows(self, day: date) -> list[tuple[datetime, datetime]]:
        day = local_day(day, self.zone)
        return [(self._midnight(day), self._midnight(day + ONE_DAY))]

    def day_end(self, day: date, end_of_day: EndOfDay = "close") -> datetime:
        """Midnight for both conventions: a 24/7 day closes when it ends."""
        check_end_of_day(end_of_day)
        return self._midnight(local_day(day, self.zone) + ONE_DAY)

    def next_working_instant(self, t: datetime) -> datetime:
        return to_utc(t, "t").astimezone(self.zone)

    def add_working_time(self, start: datetime, delta: timedelta) -> datetime:
        return (to_utc(start, "start") + check_delta(delta)).astimezone(self.zone)

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime:
        return self.add_working_time(start, duration(minutes))

    def working_time_between(self, a: datetime, b: datetime) -> timedelta:
        return to_utc(b, "b") - to_utc(a, "a")

    def working_minutes_between(self, a: datetime, b: datetime) -> float:
        return minutes_of(self.working_time_between(a, b))

    def end_of_nth_working_day(
        self, start: datetime, n: int, end_of_day: EndOfDay = "close"
    ) -> datetime:
        """The end of the Nth calendar day after the day of `start` (n = 0: that day)."""
        check_count(n)
        check_end_of_day(end_of_day)
        day = to_utc(start, "start").astimezone(self.zone).date()
        return self.day_end(day + timedelta(days=n), end_of_day)

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=self.zone)
