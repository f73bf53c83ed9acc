"""Report parameters from a query string: validated once for the page and the API.

Dates are local (display timezone) and inclusive; the query runs on the UTC instants
[from 00:00, to + 1 day 00:00). Bad input raises BadReportParams (400) with a translated
message per field and runs nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from plugins.reports.registry import ReportDef
from plugins.reports.services.sqlfuncs import local_offset_minutes
from plugins.tickets.enums import CHANNEL_LABELS, PRIORITY_LABELS
from plugins.tickets.scoping import read_scope
from plugins.tickets.services.errors import DomainError

#: Longest range per grouping, in days: enough buckets to read, never a full-table scan.
MAX_DAYS = {"day": 366, "week": 3 * 366, "month": 10 * 366, "year": 10 * 366}
#: Groupings that are not periods (QA figures): same bound as months.
MAX_DAYS.update({"person": 10 * 366, "department": 10 * 366})
DEFAULT_DAYS = 30


class BadReportParams(DomainError):
    http_status = 400


class UnknownReport(DomainError):
    http_status = 400


@dataclass(frozen=True)
class ReportQuery:
    """What one report run asks for, plus the actor's scope as SQL."""

    date_from: dt.date
    date_to: dt.date
    group_by: str
    scope: ColumnElement[bool]
    offset_minutes: int
    department_id: int | None = None
    category_id: int | None = None
    channel: str | None = None
    priority: str | None = None
    staff_id: int | None = None
    #: The actor sees every ticket (no scope condition to apply).
    scope_all: bool = False
    #: The departments a department-wide scope covers; None when the scope is narrower
    #: (an agent's own intake) — roll-ups by department cannot answer that one.
    scope_departments: frozenset[int] | None = None
    #: Who runs the report, for builders that delegate to another addon's scoped query.
    actor: object = field(default=None, compare=False, repr=False)

    @property
    def start(self) -> dt.datetime:
        """First UTC instant of the range (naive, like the columns)."""
        local = dt.datetime.combine(self.date_from, dt.time())
        return local - dt.timedelta(minutes=self.offset_minutes)

    @property
    def end(self) -> dt.datetime:
        """First UTC instant after the range."""
        local = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time())
        return local - dt.timedelta(minutes=self.offset_minutes)

    @property
    def ticket_filtered(self) -> bool:
        """Whether any condition on Ticket applies (scope or filters)."""
        return not self.scope_all or any(
            getattr(self, k) is not None
            for k in ("department_id", "category_id", "channel", "priority", "staff_id")
        )

    def as_dict(self) -> dict[str, object]:
        out: dict[str, object] = {
            "from": self.date_from.isoformat(),
            "to": self.date_to.isoformat(),
            "group_by": self.group_by,
        }
        for key in ("department_id", "category_id", "channel", "priority", "staff_id"):
            value = getattr(self, key)
            if value is not None:
                out[key.removesuffix("_id")] = value
        return out


def _date(args: Mapping[str, str], name: str, errors: dict[str, str]) -> dt.date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Enter a date like 2026-11-23.")
        return None


def _id(args: Mapping[str, str], name: str, errors: dict[str, str]) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit():
        errors[name] = _("Not a valid choice.")
        return None
    return int(raw)


def _choice(args: Mapping[str, str], name: str, allowed, errors: dict[str, str]) -> str | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if raw not in allowed:
        errors[name] = _("Not a valid choice.")
        return None
    return raw


def parse(
    session: Session,
    actor: object,
    definition: ReportDef,
    args: Mapping[str, str],
    *,
    tz_name: str = "Asia/Shanghai",
    today: dt.date | None = None,
) -> ReportQuery:
    """Validate `args` for `definition`; raise BadReportParams with every field's error."""
    errors: dict[str, str] = {}
    offset = local_offset_minutes(tz_name)
    if today is None:
        today = (dt.datetime.now(dt.UTC) + dt.timedelta(minutes=offset)).date()
    date_to = _date(args, "to", errors) or today
    date_from = _date(args, "from", errors) or date_to - dt.timedelta(days=DEFAULT_DAYS - 1)
    group_by = (args.get("group_by") or "").strip() or definition.group_by[0]
    if group_by not in definition.group_by:
        errors["group_by"] = _("Not a valid choice.")
    if not errors and date_from > date_to:
        errors["to"] = _("The end date is before the start date.")
    elif not errors and (date_to - date_from).days + 1 > MAX_DAYS[group_by]:
        errors["from"] = _(
            "The range is too large: at most %(n)d days for this grouping.", n=MAX_DAYS[group_by]
        )
    values = {
        "department_id": _id(args, "department", errors),
        "category_id": _id(args, "category", errors),
        "channel": _choice(args, "channel", CHANNEL_LABELS, errors),
        "priority": _choice(args, "priority", PRIORITY_LABELS, errors),
        "staff_id": _id(args, "staff", errors),
    }
    if errors:
        raise BadReportParams(_("Please correct the report parameters."), errors)
    scope = read_scope(session, actor)
    return ReportQuery(
        date_from=date_from,
        date_to=date_to,
        group_by=group_by,
        scope=scope.clause(),
        scope_all=scope.all,
        scope_departments=scope.department_ids if scope.own_user_id is None else None,
        offset_minutes=offset,
        actor=actor,
        **values,
    )
