"""Where the statutory holidays and 调休 make-up workdays come from.

China moves its weekends every year: the State Council's notice (published each November)
turns some Saturdays and Sundays into working days (调休上班) and some weekdays into days off.
The `holidays` package carries those notices as data (2001 to its last release year) and its
`is_working_day()` honours the make-up days, so we wrap it rather than keep our own tables.
For a year the package has no notice for, it falls back to rules (fixed dates, 补假 for
holidays on a weekend, no make-up workdays) — plausible but not official, which is why
`has_official_data()` exists: the UI warns, and admins enter the notice as overrides.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import cache
from typing import Protocol

import holidays


class HolidayProvider(Protocol):
    """The data a BusinessCalendar needs about days, before its own overrides apply."""

    def is_working_day(self, day: date) -> bool: ...

    def holiday_name(self, day: date) -> str | None: ...

    def has_official_data(self, year: int) -> bool: ...


@dataclass(frozen=True)
class _Year:
    working: frozenset[date]
    names: dict[date, str] = field(default_factory=dict)


class ChinaHolidays:
    """Mainland China's public holidays and make-up workdays from the `holidays` package.

    Each year is read from the package once, into frozen sets: lookups are then a set
    membership (fast, thread-safe), and the package object — which expands itself lazily
    and is not safe to share between threads — never leaves the lock. The HALF_DAY category
    (妇女节, 青年节 …: a half day off for some groups only) is left out on purpose: the office
    still works.
    """

    def __init__(self, language: str = "zh_CN") -> None:
        # language must be explicit: without it the package followed the process locale and
        # answered in English (reference §2.1).
        self._language = language
        self._lock = threading.Lock()
        self._years: dict[int, _Year] = {}
        notices = holidays.country_holidays("CN", years=()).special_public_holidays
        #: First and last year with the State Council's notice in the installed package.
        self.first_official_year = min(notices)
        self.last_official_year = max(notices)

    def is_working_day(self, day: date) -> bool:
        return day in self._year(day.year).working

    def holiday_name(self, day: date) -> str | None:
        """The package's name for a day off (e.g. 国庆节, 休息日（由 2025-09-28 调休）)."""
        return self._year(day.year).names.get(day)

    def has_official_data(self, year: int) -> bool:
        return self.first_official_year <= year <= self.last_official_year

    def _year(self, year: int) -> _Year:
        found = self._years.get(year)
        if found is None:
            with self._lock:
                found = self._years.get(year)
                if found is None:
                    found = self._years[year] = self._load(year)
        return found

    def _load(self, year: int) -> _Year:
        package = holidays.country_holidays(
            "CN", years=year, language=self._language, categories=(holidays.PUBLIC,)
        )
        first = date(year, 1, 1)
        days = (first + timedelta(days=i) for i in range((date(year + 1, 1, 1) - first).days))
        working = frozenset(day for day in days if package.is_working_day(day))
        names = {day: str(name) for day, name in package.items() if day.year == year}
        return _Year(working, names)


class WeekdaysOnly:
    """Monday to Friday, no holidays: for offices outside China, and for tests of the window
    arithmetic on its own."""

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5

    def holiday_name(self, day: date) -> str | None:
        return None

    def has_official_data(self, year: int) -> bool:
        return True


@cache
def china_holidays() -> ChinaHolidays:
    """The shared default provider: one per process, so each year is read only once."""
    return ChinaHolidays()
