"""SLA clocks as data: segments of running time, a budget, and the instants they imply.

A clock is the list of its running segments (start → pause, resume → stop …), the target,
and the approved extensions. Everything else — consumed minutes, due_at, warn_at — is
derived from those with a calendar, so when the calendar changes (an admin enters next
year's 调休 notice) `recompute()` gives the corrected deadlines from the same facts. The
integration stores both: the facts to recompute from, the derived columns to index and to
schedule the warn / breach jobs at.

Every function is pure: it takes a clock and returns a new one; nothing reads the time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Literal

from workflows.calendar_base import ONE_DAY, WorkCalendar, minutes_of, to_utc
from workflows.sla_target import SlaTarget

ClockState = Literal["green", "yellow", "red"]


class ClockError(ValueError):
    """An impossible move: pausing a paused clock, resuming a stopped one, time running
    backwards, an extension that shortens."""


@dataclass(frozen=True)
class Segment:
    """One stretch of running time; `end` is None while it runs."""

    start: datetime
    end: datetime | None = None

    def as_dict(self) -> dict[str, str | None]:
        """JSON-ready (ISO 8601 with offset), for a JSON column."""
        return {
            "start": self.start.isoformat(),
            "end": None if self.end is None else self.end.isoformat(),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, str | None]) -> Segment:
        end = data.get("end")
        return cls(
            datetime.fromisoformat(str(data["start"])),
            None if end is None else datetime.fromisoformat(end),
        )


@dataclass(frozen=True)
class SlaClock:
    """One clock of one ticket. Build it with `start_clock` / `build_clock`, never by hand:
    the derived fields must agree with the facts.

    Facts: target, segments, stopped, extensions (extra budget minutes, in order).
    Derived: budget_minutes (base + extensions), consumed_minutes (over closed segments),
    due_at / warn_at (when the budget / its warn share run out; None while paused before
    they are reached). A stopped clock keeps the due_at it had while running.
    """

    target: SlaTarget
    segments: tuple[Segment, ...]
    stopped: bool
    extensions: tuple[float, ...]
    budget_minutes: float
    consumed_minutes: float
    due_at: datetime | None
    warn_at: datetime | None

    @property
    def started_at(self) -> datetime:
        return self.segments[0].start

    @property
    def running(self) -> bool:
        return self.segments[-1].end is None

    @property
    def paused(self) -> bool:
        return not self.running and not self.stopped

    @property
    def paused_at(self) -> datetime | None:
        return self.segments[-1].end if self.paused else None

    @property
    def stopped_at(self) -> datetime | None:
        return self.segments[-1].end if self.stopped else None


def build_clock(
    target: SlaTarget,
    segments: Sequence[Segment],
    calendar: WorkCalendar,
    *,
    stopped: bool = False,
    extensions: Iterable[float] = (),
) -> SlaClock:
    """A clock from its facts, everything derived with `calendar`."""
    segments = _checked(segments, stopped)
    extensions = tuple(float(minutes) for minutes in extensions)
    measure = target.measure(calendar)
    budget = target.base_budget(measure, segments[0].start)
    budget += timedelta(minutes=sum(extensions))
    consumed = sum(
        (measure.working_time_between(s.start, s.end) for s in segments if s.end is not None),
        timedelta(0),
    )
    warn = budget * (target.warn_percent / 100)
    open_last = not segments[-1].end or stopped
    due_at = _crossing(segments, measure, budget, open_last)
    if due_at is not None and target.kind == "working_days":
        due_at = measure.day_end(_day_of(due_at, measure, budget), target.end_of_day)
    return SlaClock(
        target=target,
        segments=segments,
        stopped=stopped,
        extensions=extensions,
        budget_minutes=minutes_of(budget),
        consumed_minutes=minutes_of(consumed),
        due_at=due_at,
        warn_at=_crossing(segments, measure, warn, open_last),
    )


def start_clock(target: SlaTarget, calendar: WorkCalendar, started_at: datetime) -> SlaClock:
    to_utc(started_at, "started_at")
    return build_clock(target, [Segment(started_at)], calendar)


def pause(clock: SlaClock, calendar: WorkCalendar, now: datetime) -> SlaClock:
    """Close the running segment (挂起): consumed_minutes now holds everything used so far."""
    if not clock.running:
        raise ClockError("only a running clock can be paused")
    return _rebuild(clock, calendar, _close(clock.segments, now))


def resume(clock: SlaClock, calendar: WorkCalendar, now: datetime) -> SlaClock:
    """Open a new segment: due_at is the remaining budget counted from `now`."""
    if not clock.paused:
        raise ClockError("only a paused clock can be resumed")
    return _rebuild(clock, calendar, (*clock.segments, Segment(now)))


def stop(clock: SlaClock, calendar: WorkCalendar, now: datetime) -> SlaClock:
    """End the clock (签收, 办结 …). A paused clock stops where it paused."""
    if clock.stopped:
        raise ClockError("the clock is already stopped")
    segments = _close(clock.segments, now) if clock.running else clock.segments
    return build_clock(clock.target, segments, calendar, stopped=True, extensions=clock.extensions)


def extend(
    clock: SlaClock,
    calendar: WorkCalendar,
    *,
    extra_minutes: float | None = None,
    new_due: datetime | None = None,
) -> SlaClock:
    """An approved extension (延期): more budget, given as minutes (in the target's kind of
    time) or as the new deadline. A new deadline needs a known current one (a running
    clock); its distance is measured in the target's time, so a new due outside working
    hours moves back to the last working instant before it."""
    if clock.stopped:
        raise ClockError("a stopped clock cannot be extended")
    if (extra_minutes is None) == (new_due is None):
        raise ClockError("give exactly one of extra_minutes and new_due")
    if new_due is not None:
        if clock.due_at is None:
            raise ClockError("a paused clock has no deadline to move: give extra_minutes")
        extra = clock.target.measure(calendar).working_time_between(clock.due_at, new_due)
        extra_minutes = minutes_of(extra)
    if extra_minutes is None or extra_minutes <= 0:
        raise ClockError(f"an extension must add time, got {extra_minutes!r} minutes")
    return build_clock(
        clock.target,
        clock.segments,
        calendar,
        stopped=clock.stopped,
        extensions=(*clock.extensions, extra_minutes),
    )


def recompute(clock: SlaClock, calendar: WorkCalendar) -> SlaClock:
    """The same facts measured with another calendar (overrides edited, package bumped)."""
    return _rebuild(clock, calendar, clock.segments)


def consumed_at(clock: SlaClock, calendar: WorkCalendar, now: datetime) -> float:
    """Minutes used up to `now`, the running segment included."""
    last = clock.segments[-1]
    if last.end is not None:
        return clock.consumed_minutes
    running = clock.target.measure(calendar).working_time_between(last.start, now)
    return clock.consumed_minutes + minutes_of(max(running, timedelta(0)))


def remaining_minutes(clock: SlaClock, calendar: WorkCalendar, now: datetime) -> float:
    """Budget left at `now` (negative once overdue), for "剩余 2小时15分" widgets."""
    return clock.budget_minutes - consumed_at(clock, calendar, now)


def state(clock: SlaClock, now: datetime) -> ClockState:
    """红灯 once the deadline is reached, 黄灯 once the warn share is used, else 绿灯.

    A paused or stopped clock is judged at the instant it stopped running, so a pause does
    not turn a clock red and a ticket finished in time stays green for ever.
    """
    at = to_utc(now, "now") if clock.running else clock.segments[-1].end
    assert at is not None
    if clock.due_at is not None and at >= clock.due_at:
        return "red"
    if clock.warn_at is not None and at >= clock.warn_at:
        return "yellow"
    return "green"


def years_without_official_data(clock: SlaClock, calendar: WorkCalendar) -> tuple[int, ...]:
    """Years from the start to the deadline whose holidays are the package's guesses, so
    the screen can say "no official data for 2027" next to the deadline."""
    first = clock.started_at.astimezone(calendar.zone).year
    last = clock.due_at.astimezone(calendar.zone).year if clock.due_at else first
    return tuple(y for y in range(first, last + 1) if not calendar.has_official_data(y))


# Internals -----------------------------------------------------------------------------


def _rebuild(clock: SlaClock, calendar: WorkCalendar, segments: Sequence[Segment]) -> SlaClock:
    return build_clock(
        clock.target, segments, calendar, stopped=clock.stopped, extensions=clock.extensions
    )


def _close(segments: tuple[Segment, ...], now: datetime) -> tuple[Segment, ...]:
    return (*segments[:-1], Segment(segments[-1].start, now))


def _checked(segments: Sequence[Segment], stopped: bool) -> tuple[Segment, ...]:
    """Segments must be aware, ordered, and only the last one may be open."""
    segments = tuple(segments)
    if not segments:
        raise ClockError("a clock needs at least one segment")
    previous = None
    for index, segment in enumerate(segments):
        start = to_utc(segment.start, "segment start")
        if previous is not None and start < previous:
            raise ClockError("segments must be in order and must not overlap")
        if segment.end is None:
            if index != len(segments) - 1 or stopped:
                raise ClockError("only the last segment of a running clock may be open")
            continue
        previous = to_utc(segment.end, "segment end")
        if previous < start:
            raise ClockError(f"a segment cannot end before it starts ({segment.start})")
    return segments


def _crossing(
    segments: tuple[Segment, ...], measure: WorkCalendar, threshold: timedelta, open_last: bool
) -> datetime | None:
    """When the consumed time reaches `threshold`: in a closed segment if it did already,
    else projected from the last segment when it runs (or ran, for a stopped clock)."""
    used = timedelta(0)
    for index, segment in enumerate(segments):
        left = threshold - used
        if segment.end is None or (open_last and index == len(segments) - 1):
            return measure.add_working_time(segment.start, left)
        spent = measure.working_time_between(segment.start, segment.end)
        if spent >= left:
            return measure.add_working_time(segment.start, left)
        used += spent
    return None


def _day_of(instant: datetime, measure: WorkCalendar, budget: timedelta) -> date:
    """The working day a day-based budget ran out on. Running out exactly at a window that
    ends at 24:00 lands on the next day's 00:00, which still belongs to the day before."""
    local = instant.astimezone(measure.zone)
    if local.time() == time(0) and budget > timedelta(0):
        return local.date() - ONE_DAY
    return local.date()
