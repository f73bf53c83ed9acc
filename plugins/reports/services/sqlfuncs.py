"""Dialect-portable SQL for reports: date buckets, weekday × hour, minutes between instants.

Instants are stored as naive UTC; buckets are taken in the display timezone (a fixed offset:
Asia/Shanghai has no daylight saving), so "a day" means a local day. Each helper is a small
SQL expression element compiled once for PostgreSQL and once for SQLite, so report builders
never look at the dialect.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Date, Float, Integer, String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.functions import FunctionElement

GROUP_BY = ("day", "week", "month", "year")


def local_offset_minutes(tz_name: str = "Asia/Shanghai") -> int:
    """Minutes east of UTC of the display timezone, now."""
    offset = dt.datetime.now(ZoneInfo(tz_name)).utcoffset() or dt.timedelta()
    return int(offset.total_seconds() // 60)


class date_bucket(FunctionElement):  # noqa: N801 - reads like the SQL function it is
    """`date_bucket(col, "week", offset)`: the local date ('YYYY-MM-DD') starting the day,
    ISO week (Monday), month or year that holds `col`."""

    type = String()
    # The grouping and offset are part of the SQL text but not of SQLAlchemy's cache key:
    # statements holding these elements are compiled afresh (cheap next to the query).
    inherit_cache = False
    name = "date_bucket"

    def __init__(self, col: ColumnElement, group_by: str, offset_minutes: int = 480) -> None:
        if group_by not in GROUP_BY:
            raise ValueError(group_by)
        self.group_by = group_by
        self.offset_minutes = int(offset_minutes)
        super().__init__(col)


class weekday_hour(FunctionElement):  # noqa: N801
    """`weekday_hour(col, part, offset)`: ISO weekday 1 (Monday)..7 or hour 0..23, local."""

    type = Integer()
    inherit_cache = False
    name = "weekday_hour"

    def __init__(self, col: ColumnElement, part: str, offset_minutes: int = 480) -> None:
        if part not in ("weekday", "hour"):
            raise ValueError(part)
        self.part = part
        self.offset_minutes = int(offset_minutes)
        super().__init__(col)


class minutes_between(FunctionElement):  # noqa: N801
    """`minutes_between(start, end)`: end − start in minutes (a float; NULL if either is)."""

    type = Float()
    inherit_cache = True
    name = "minutes_between"


def _col(element: FunctionElement, compiler, **kw) -> str:
    return compiler.process(list(element.clauses)[0], **kw)


@compiles(date_bucket, "postgresql")
def _pg_bucket(element: date_bucket, compiler, **kw) -> str:
    col = _col(element, compiler, **kw)
    return (
        f"to_char(date_trunc('{element.group_by}', {col} + interval "
        f"'{element.offset_minutes} minutes'), 'YYYY-MM-DD')"
    )


@compiles(date_bucket, "sqlite")
def _sqlite_bucket(element: date_bucket, compiler, **kw) -> str:
    col = _col(element, compiler, **kw)
    shift = f"'{element.offset_minutes:+d} minutes'"
    return {
        "day": f"strftime('%Y-%m-%d', {col}, {shift})",
        # 'weekday 0' moves forward to Sunday (or stays), six days back is that ISO week's Monday.
        "week": f"date({col}, {shift}, 'weekday 0', '-6 days')",
        "month": f"strftime('%Y-%m-01', {col}, {shift})",
        "year": f"strftime('%Y-01-01', {col}, {shift})",
    }[element.group_by]


@compiles(weekday_hour, "postgresql")
def _pg_weekday_hour(element: weekday_hour, compiler, **kw) -> str:
    col = _col(element, compiler, **kw)
    field = "isodow" if element.part == "weekday" else "hour"
    shifted = f"{col} + interval '{element.offset_minutes} minutes'"
    return f"CAST(extract({field} from {shifted}) AS INTEGER)"


@compiles(weekday_hour, "sqlite")
def _sqlite_weekday_hour(element: weekday_hour, compiler, **kw) -> str:
    col = _col(element, compiler, **kw)
    shift = f"'{element.offset_minutes:+d} minutes'"
    if element.part == "hour":
        return f"CAST(strftime('%H', {col}, {shift}) AS INTEGER)"
    # %w is 0 (Sunday)..6; ISO wants Monday = 1 .. Sunday = 7.
    return f"((CAST(strftime('%w', {col}, {shift}) AS INTEGER) + 6) % 7 + 1)"


@compiles(minutes_between, "postgresql")
def _pg_minutes(element: minutes_between, compiler, **kw) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"(extract(epoch from ({end} - {start})) / 60.0)"


@compiles(minutes_between, "sqlite")
def _sqlite_minutes(element: minutes_between, compiler, **kw) -> str:
    start, end = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 1440.0)"


class local_date(FunctionElement):  # noqa: N801
    """`local_date(col, offset)`: the local calendar date (a DATE) holding instant `col`."""

    type = Date()
    inherit_cache = False
    name = "local_date"

    def __init__(self, col: ColumnElement, offset_minutes: int = 480) -> None:
        self.offset_minutes = int(offset_minutes)
        super().__init__(col)


@compiles(local_date, "postgresql")
def _pg_local_date(element: local_date, compiler, **kw) -> str:
    col = _col(element, compiler, **kw)
    return f"CAST({col} + interval '{element.offset_minutes} minutes' AS DATE)"


@compiles(local_date, "sqlite")
def _sqlite_local_date(element: local_date, compiler, **kw) -> str:
    col = _col(element, compiler, **kw)
    return f"date({col}, '{element.offset_minutes:+d} minutes')"
