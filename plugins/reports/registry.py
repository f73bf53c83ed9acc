"""The registry of report definitions: what a report is called, which filters and groupings
it takes, the columns it returns, how its chart is drawn, and the SQL builder behind it.

Addons contribute definitions with `register()`; the page, the API and the OpenAPI text all
read from here, so a report exists once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from plugins.reports.params import ReportQuery

#: Every filter a report may accept, in form order.
FILTERS = ("department", "category", "channel", "priority", "staff")
ALL_GROUP_BY = ("day", "week", "month", "year")


@dataclass(frozen=True)
class Column:
    """One output column. kind: int | float | percent (0..1) | minutes | text."""

    key: str
    label: Any
    kind: str = "int"


@dataclass(frozen=True)
class Chart:
    """How the page draws the rows.

    kind: line | bar | pie | heatmap. `x` names the category axis key; `series` the value
    keys. `pivot` (bar/line): one series per distinct value of that key, values from
    series[0]. pie: slice names from `x`, values summed over rows from series[0]. heatmap:
    `x` and `y` keys, value series[0].
    """

    kind: str
    x: str
    series: tuple[str, ...]
    pivot: str | None = None
    y: str | None = None
    stack: bool = False


@dataclass(frozen=True)
class ReportDef:
    name: str
    label: Any
    description: Any
    columns: tuple[Column, ...]
    build: Callable[[Session, ReportQuery], list[dict[str, Any]]]
    chart: Chart
    group_by: tuple[str, ...] = ALL_GROUP_BY
    filters: tuple[str, ...] = FILTERS
    order: int = 100
    extra: dict[str, Any] = field(default_factory=dict)


_REGISTRY: dict[str, ReportDef] = {}


def register(definition: ReportDef) -> ReportDef:
    """Add (or replace, by name) a report definition."""
    _REGISTRY[definition.name] = definition
    return definition


def get(name: str) -> ReportDef | None:
    return _REGISTRY.get(name)


def all_reports() -> list[ReportDef]:
    return sorted(_REGISTRY.values(), key=lambda d: (d.order, d.name))
