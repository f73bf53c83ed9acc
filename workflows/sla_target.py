"""What an SLA promises: N working hours, N calendar hours, or the end of the Nth working day.

A target is policy data (per category and priority, per phase: 签收, 办结, 回访 …). It turns
into a budget of minutes once it meets a calendar and a start instant; the clock (sla.py)
then only counts minutes, which is what makes pause and resume keep the remaining budget.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from workflows.calendar_base import END_OF_DAY, CalendarError, EndOfDay, WorkCalendar
from workflows.calendar_hours import CalendarHours

TargetKind = Literal["working_minutes", "calendar_minutes", "working_days"]
TARGET_KINDS: tuple[str, ...] = ("working_minutes", "calendar_minutes", "working_days")

#: The `deadline` units of process definitions (vocabulary.DEADLINE_UNITS) → (kind, factor).
_DEADLINE_UNITS = {
    "hours": ("calendar_minutes", 60),
    "working_hours": ("working_minutes", 60),
    "working_days": ("working_days", 1),
}


@dataclass(frozen=True)
class SlaTarget:
    """One promise.

    Attributes:
        kind: working_minutes | calendar_minutes | working_days.
        amount: minutes for the two minute kinds; N (an int) for working_days.
        warn_percent: share of the budget consumed when the light turns yellow (黄灯).
        end_of_day: for working_days, whether the day ends at the close or at midnight.
    """

    kind: TargetKind
    amount: float
    warn_percent: float = 75
    end_of_day: EndOfDay = "close"

    def __post_init__(self) -> None:
        if self.kind not in TARGET_KINDS:
            raise CalendarError(f"kind must be one of {', '.join(TARGET_KINDS)}: {self.kind!r}")
        if self.kind == "working_days":
            if isinstance(self.amount, bool) or not isinstance(self.amount, int):
                raise CalendarError("a working_days target counts whole days: amount is an int")
        if not _number(self.amount) or self.amount < 0:
            raise CalendarError(f"amount must be a number ≥ 0, got {self.amount!r}")
        if not _number(self.warn_percent) or not 0 <= self.warn_percent <= 100:
            raise CalendarError(f"warn_percent must be within 0–100, got {self.warn_percent!r}")
        if self.end_of_day not in END_OF_DAY:
            raise CalendarError(f"end_of_day must be one of {', '.join(END_OF_DAY)}")

    @classmethod
    def working_hours(cls, hours: float, *, warn_percent: float = 75) -> SlaTarget:
        return cls("working_minutes", hours * 60, warn_percent)

    @classmethod
    def calendar_hours(cls, hours: float, *, warn_percent: float = 75) -> SlaTarget:
        return cls("calendar_minutes", hours * 60, warn_percent)

    @classmethod
    def working_days(
        cls, n: int, *, end_of_day: EndOfDay = "close", warn_percent: float = 75
    ) -> SlaTarget:
        return cls("working_days", n, warn_percent, end_of_day)

    @classmethod
    def from_deadline(
        cls,
        deadline: Mapping[str, int],
        *,
        warn_percent: float = 75,
        end_of_day: EndOfDay = "close",
    ) -> SlaTarget:
        """From a process definition's `deadline: {working_hours: 4}` (one unit: N)."""
        if not isinstance(deadline, Mapping) or len(deadline) != 1:
            raise CalendarError(f"a deadline is one {{unit: N}} pair, got {deadline!r}")
        ((unit, amount),) = deadline.items()
        if unit not in _DEADLINE_UNITS:
            raise CalendarError(f"unknown deadline unit {unit!r}")
        kind, factor = _DEADLINE_UNITS[unit]
        return cls(kind, amount * factor, warn_percent, end_of_day)  # type: ignore[arg-type]

    def measure(self, calendar: WorkCalendar) -> WorkCalendar:
        """The calendar the budget is counted in: calendar minutes tick 24/7 in its zone."""
        if self.kind == "calendar_minutes":
            return CalendarHours(tz=calendar.zone)
        return calendar

    def base_budget(self, calendar: WorkCalendar, started_at: datetime) -> timedelta:
        """The budget before extensions. A day-based target becomes the working time from
        the start to the end of the Nth working day, so that pausing it keeps what is left."""
        if self.kind != "working_days":
            return timedelta(minutes=self.amount)
        due = calendar.end_of_nth_working_day(started_at, int(self.amount), self.end_of_day)
        return calendar.working_time_between(started_at, due)

    def label(self) -> str:
        """A short zh text for screens: 4 个工作小时 / 2 小时 / 5 个工作日."""
        if self.kind == "working_days":
            return f"{self.amount} 个工作日"
        hours = f"{self.amount / 60:g}"
        return f"{hours} 个工作小时" if self.kind == "working_minutes" else f"{hours} 小时"


def _number(value: object) -> bool:
    return (
        isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)  # type: ignore[arg-type]
    )
