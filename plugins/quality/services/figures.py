"""QA figures (质检统计): average score, pass rate and critical failures per person,
department or month, in ONE aggregate query, scoped like the reviews themselves.

`qa_figures(session, actor, date_from, date_to, group_by)` is also what reports call.
Dates are calendar days in Asia/Shanghai (inclusive); the average is in percent of each
review's maximum so scorecards with different totals compare.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass

from flask_appbuilder.security.sqla.models import User
from flask_babel import gettext as _
from sqlalchemy import Integer, case, cast, func, literal, select
from sqlalchemy.orm import Session

from plugins.quality.models import QaReview
from plugins.quality.services.access import review_clause
from plugins.tickets.models import Department
from plugins.tickets.services.errors import ValidationFailed

GROUPS = ("person", "department", "month")
OFFSET = dt.timedelta(hours=8)  # Asia/Shanghai has no daylight saving


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    reviews: int
    average: float
    pass_rate: float
    critical_failures: int

    def as_dict(self) -> dict:
        return asdict(self)


def _month(session: Session):
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(QaReview.submitted_at + literal(OFFSET), "YYYY-MM")
    return func.strftime("%Y-%m", QaReview.submitted_at, "+8 hours")


def qa_figures(session: Session, actor: object, date_from: dt.date, date_to: dt.date,
               group_by: str = "person") -> list[Figure]:  # fmt: skip
    """One row per person / department / month with reviews in [date_from, date_to]."""
    if group_by not in GROUPS:
        raise ValidationFailed(_("Group by person, department or month."))
    if date_to < date_from:
        raise ValidationFailed(_("The end date is before the start date."))
    start = dt.datetime.combine(date_from, dt.time()) - OFFSET
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time()) - OFFSET
    measures = (
        func.count(QaReview.id),
        func.avg(100.0 * QaReview.score / func.nullif(QaReview.max_score, 0)),
        func.avg(case((QaReview.passed, 100.0), else_=0.0)),
        func.sum(cast(QaReview.critical_failed, Integer)),
    )
    if group_by == "person":
        name = func.coalesce(func.nullif(User.first_name, ""), User.username)
        keys = (QaReview.reviewed_user_id, name)
        stmt = select(*keys, *measures).outerjoin(User, User.id == QaReview.reviewed_user_id)
    elif group_by == "department":
        keys = (QaReview.department_id, Department.name)
        stmt = select(*keys, *measures).outerjoin(
            Department, Department.id == QaReview.department_id
        )
    else:
        month = _month(session)
        keys = (month, month)
        stmt = select(month, month.label("label"), *measures)
    stmt = (
        stmt.where(
            QaReview.submitted_at >= start,
            QaReview.submitted_at < end,
            review_clause(session, actor),
        )
        .group_by(*keys[: 1 if group_by == "month" else 2])
        .order_by(keys[1])
    )
    return [
        Figure(str(key) if key is not None else "", str(label or _("Unknown")), int(n),
               round(float(avg or 0), 2), round(float(rate or 0), 2), int(crit or 0))
        for key, label, n, avg, rate, crit in session.execute(stmt)
    ]  # fmt: skip
