"""QA figures (质检统计) as a report: the quality addon's own scoped aggregate
(`plugins.quality.services.figures.qa_figures`), called as that addon documents; registered
only when the quality addon is installed (see definitions.py)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from plugins.quality.services.figures import qa_figures
from plugins.reports.params import ReportQuery


def qa(session: Session, q: ReportQuery) -> list[dict[str, Any]]:
    """Per person, department or month: reviews, mean score and pass rate (fractions),
    critical failures."""
    figures = qa_figures(session, q.actor, q.date_from, q.date_to, q.group_by)
    return [
        {
            "key": f.key,
            "name": f.label,
            "reviews": f.reviews,
            "average": round(f.average / 100, 4),
            "pass_rate": round(f.pass_rate / 100, 4),
            "critical_failures": f.critical_failures,
        }
        for f in figures
    ]
