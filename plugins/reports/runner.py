"""Running a report: find the definition, validate the parameters, run its SQL, and shape
one JSON document that the API returns and the page draws (table and chart alike)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from plugins.reports import params as report_params
from plugins.reports.registry import ReportDef, get

WEEKDAYS = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)


def definition(name: str) -> ReportDef:
    found = get(name)
    if found is None:
        raise report_params.UnknownReport(_("There is no report named %(name)s.", name=name))
    return found


def describe(d: ReportDef) -> dict[str, Any]:
    """What a client needs to ask for a report and read its answer."""
    return {
        "name": d.name,
        "label": str(d.label),
        "description": str(d.description),
        "group_by": list(d.group_by),
        "filters": list(d.filters),
        "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in d.columns],
        "chart": {k: v for k, v in asdict(d.chart).items() if v is not None},
    }


def run(
    session: Session, actor: object, name: str, args: Mapping[str, str], *, tz_name: str
) -> dict[str, Any]:
    """The report's numbers as JSON-ready data, or UnknownReport / BadReportParams (400)."""
    d = definition(name)
    q = report_params.parse(session, actor, d, args, tz_name=tz_name)
    rows = d.build(session, q)
    out = describe(d)
    out["params"] = q.as_dict()
    out["rows"] = rows
    if d.chart.kind == "heatmap":
        for row in rows:
            row["weekday_name"] = str(WEEKDAYS[row["weekday"] - 1])
        out["chart"]["x_categories"] = list(range(24))
        out["chart"]["y_categories"] = [str(w) for w in WEEKDAYS]
    out["chart"]["labels"] = {c.key: str(c.label) for c in d.columns}
    return out
