"""What every business calendar shares: its error, its protocol and its input checks.

Two calendars answer the same questions — working hours (business_calendar.py) and plain
calendar hours, 24/7 (calendar_hours.py) — so an SLA clock (sla.py) measures with either one
without knowing which. Everything here is about refusing bad input early: a naive datetime
silently read as UTC (or as local time) would shift every deadline by eight hours.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Literal, Protocol
from zoneinfo import ZoneInfo

#: How a day-based deadline ("by the end of the Nth working day") ends: at the close of the
#: day's last working window (e.g. 18:00), or at midnight (the next day's 00:00, i.e. 24:00).
EndOfDay = Literal["close", "midnight"]
END_OF_DAY: tuple[str, ...] = ("close", "midnight")

ONE_DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


class CalendarError(ValueError):
    """Bad input to calendar arithmetic: a naive datetime, negative minutes, invalid windows
    or overrides, or a calendar with no working day for a whole year. A ValueError, because
    it is always the caller's data that is wrong, never the moment."""


class WorkCalendar(Protocol):
    """The questions an SLA clock asks. Instants go in aware (any zone) and come out in the
    calendar's zone; days are local dates of that zone."""

    zone: tzinfo

    def is_working_day(self, day: date) -> bool: ...

    def working_windows(self, day: date) -> list[tuple[datetime, datetime]]: ...

    def add_working_time(self, start: datetime, delta: timedelta) -> datetime: ...

    def working_time_between(self, a: datetime, b: datetime) -> timedelta: ...

    def add_working_minutes(self, start: datetime, minutes: float) -> datetime: ...

    def working_minutes_between(self, a: datetime, b: datetime) -> float: ...

    def end_of_nth_working_day(
        self, start: datetime, n: int, end_of_day: EndOfDay = "close"
    ) -> datetime: ...

    def next_working_instant(self, t: datetime) -> datetime: ...

    def day_end(self, day: date, end_of_day: EndOfDay = "close") -> datetime: ...

    def has_official_data(self, year: int) -> bool: ...


def resolve_zone(tz: str | tzinfo) -> tzinfo:
    """A zone from its IANA name (or a tzinfo passed through)."""
    if isinstance(tz, tzinfo):
        return tz
    if not isinstance(tz, str) or not tz:
        raise CalendarError(f"tz must be an IANA zone name such as 'Asia/Shanghai', got {tz!r}")
    try:
        return ZoneInfo(tz)
    except (ValueError, KeyError, OSError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise CalendarError(f"unknown time zone {tz!r}") from exc


def to_utc(value: datetime, name: str = "datetime") -> datetime:
    """`value` as a UTC instant; naive datetimes are refused because their zone is a guess."""
    if not isinstance(value, datetime):
        raise CalendarError(f"{name} must be a datetime, got {type(value).__name__}")
    if value.tzinfo is None or value.utcoffset() is None:
        raise CalendarError(
            f"{name} must be timezone-aware, got naive {value.isoformat()} "
            "(attach a zone, e.g. ZoneInfo('Asia/Shanghai'), or use UTC)"
        )
    return value.astimezone(UTC)


def local_day(value: date, zone: tzinfo, name: str = "day") -> date:
    """The local date a caller means: a date as given, an aware datetime's date in `zone`."""
    if isinstance(value, datetime):
        return to_utc(value, name).astimezone(zone).date()
    if not isinstance(value, date):
        raise CalendarError(f"{name} must be a date, got {type(value).__name__}")
    return value


def duration(minutes: float, name: str = "minutes") -> timedelta:
    """Minutes (int or float, ≥ 0) as a timedelta, so arithmetic stays exact to the µs."""
    if isinstance(minutes, bool) or not isinstance(minutes, int | float):
        raise CalendarError(f"{name} must be a number, got {type(minutes).__name__}")
    if not math.isfinite(minutes) or minutes < 0:
        raise CalendarError(f"{name} must be a finite number ≥ 0, got {minutes!r}")
    return timedelta(minutes=minutes)


def check_delta(delta: timedelta) -> timedelta:
    if not isinstance(delta, timedelta):
        raise CalendarError(f"delta must be a timedelta, got {type(delta).__name__}")
    if delta < timedelta(0):
        raise CalendarError(f"delta must be ≥ 0, got {delta}")
    return delta


def minutes_of(delta: timedelta) -> float:
    return delta / MINUTE


def check_end_of_day(end_of_day: str) -> None:
    if end_of_day not in END_OF_DAY:
        raise CalendarError(f"end_of_day must be one of {', '.join(END_OF_DAY)}: {end_of_day!r}")


def check_count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 0:
        raise CalendarError(f"n must be an integer ≥ 0, got {n!r}")
