"""The shipped report definitions. `register_builtin()` runs once at addon start."""

from __future__ import annotations

import importlib.util

from flask_babel import lazy_gettext as _l

from plugins.reports.registry import Chart, Column, ReportDef, register
from plugins.reports.services import followup, timeliness, volume

BUCKET = Column("bucket", _l("Period"), "text")
NAME = Column("name", _l("Name"), "text")


def _dimension(name: str, label, description, order: int, chart: str = "bar") -> ReportDef:
    if chart == "pie":
        drawn = Chart("pie", x="name", series=("created",))
    else:
        drawn = Chart("bar", x="bucket", series=("created",), pivot="name", stack=True)
    return ReportDef(
        name=f"by_{name}",
        label=label,
        description=description,
        columns=(
            BUCKET,
            NAME,
            Column("created", _l("Tickets created")),
            Column("done", _l("Resolved or closed")),
            Column("open", _l("Still open")),
        ),
        build=volume.by_dimension(name),
        chart=drawn,
        order=order,
    )


def register_builtin() -> None:
    register(
        ReportDef(
            name="volume",
            label=_l("Ticket volume"),
            description=_l(
                "Tickets created, resolved and closed in each period, and how many of those "
                "created are still open (backlog)."
            ),
            columns=(
                BUCKET,
                Column("created", _l("Tickets created")),
                Column("resolved", _l("Resolved")),
                Column("closed", _l("Closed")),
                Column("backlog", _l("Backlog")),
            ),
            build=volume.volume,
            chart=Chart("line", x="bucket", series=("created", "resolved", "closed", "backlog")),
            order=10,
        )
    )
    for name, label, description, order, chart in (
        ("department", _l("By department"), _l("Tickets created per department."), 20, "bar"),
        ("category", _l("By category"), _l("Tickets created per category."), 21, "bar"),
        ("staff", _l("By staff"), _l("Tickets created per assigned staff member."), 22, "bar"),
        ("channel", _l("By channel"), _l("Tickets created per intake channel."), 23, "pie"),
    ):
        register(_dimension(name, label, description, order, chart))
    register(
        ReportDef(
            name="timeliness",
            label=_l("Timeliness"),
            description=_l(
                "Mean accept and resolution times of the tickets created in each period, and "
                "how many are open past their due time now."
            ),
            columns=(
                BUCKET,
                Column("created", _l("Tickets created")),
                Column("accepted", _l("Accepted")),
                Column("avg_accept_minutes", _l("Mean accept time"), "minutes"),
                Column("resolved", _l("Resolved")),
                Column("avg_resolve_minutes", _l("Mean resolution time"), "minutes"),
                Column("overdue_open", _l("Open and overdue")),
            ),
            build=timeliness.timeliness,
            chart=Chart("line", x="bucket", series=("avg_accept_minutes", "avg_resolve_minutes")),
            order=30,
        )
    )
    register(
        ReportDef(
            name="node_times",
            label=_l("Handling time per node"),
            description=_l(
                "From the trajectory: nodes finished in each period, mean time spent at each "
                "node, and how many ended after their required time."
            ),
            columns=(
                BUCKET,
                NAME,
                Column("nodes", _l("Nodes finished")),
                Column("avg_minutes", _l("Mean time at node"), "minutes"),
                Column("with_deadline", _l("With a deadline")),
                Column("overdue", _l("Overdue")),
                Column("on_time_rate", _l("On-time rate"), "percent"),
            ),
            build=timeliness.node_times,
            chart=Chart("bar", x="bucket", series=("avg_minutes",), pivot="name"),
            order=31,
        )
    )
    register(
        ReportDef(
            name="transfers",
            label=_l("Transfers and returns"),
            description=_l("Transfers out, transfers in and returns per department."),
            columns=(
                BUCKET,
                NAME,
                Column("transfers_out", _l("Transferred out")),
                Column("transfers_in", _l("Transferred in")),
                Column("returns", _l("Returned")),
            ),
            build=timeliness.transfers,
            chart=Chart("bar", x="name", series=("transfers_out", "transfers_in", "returns")),
            order=40,
        )
    )
    register(
        ReportDef(
            name="followup",
            label=_l("Follow-up and satisfaction"),
            description=_l(
                "Follow-ups owed and made, the customers' answers (satisfied, basically "
                "satisfied, dissatisfied), reach rate and satisfaction rate."
            ),
            columns=(
                BUCKET,
                Column("owed", _l("Follow-ups owed")),
                Column("made", _l("Follow-ups made")),
                Column("satisfied", _l("Satisfied")),
                Column("basically_satisfied", _l("Basically satisfied")),
                Column("dissatisfied", _l("Dissatisfied")),
                Column("reach_rate", _l("Reach rate"), "percent"),
                Column("satisfaction_rate", _l("Satisfaction rate"), "percent"),
            ),
            build=followup.followup,
            chart=Chart(
                "bar",
                x="bucket",
                series=("satisfied", "basically_satisfied", "dissatisfied"),
                stack=True,
            ),
            order=50,
        )
    )
    register(
        ReportDef(
            name="rates",
            label=_l("Three rates"),
            description=_l(
                "For the tickets created in each period: response rate, resolution rate and "
                "satisfaction rate, with the reopen and redo rates."
            ),
            columns=(
                BUCKET,
                Column("created", _l("Tickets created")),
                Column("response_rate", _l("Response rate"), "percent"),
                Column("resolution_rate", _l("Resolution rate"), "percent"),
                Column("satisfaction_rate", _l("Satisfaction rate"), "percent"),
                Column("reopen_rate", _l("Reopen rate"), "percent"),
                Column("redo_rate", _l("Redo rate"), "percent"),
                Column("responded", _l("Responded")),
                Column("resolved", _l("Resolved or closed")),
                Column("rated", _l("Rated")),
                Column("reopened", _l("Reopened")),
                Column("redone", _l("Redone")),
            ),
            build=followup.rates,
            chart=Chart(
                "line", x="bucket", series=("response_rate", "resolution_rate", "satisfaction_rate")
            ),
            order=60,
        )
    )
    register(
        ReportDef(
            name="heatmap",
            label=_l("Intake by weekday and hour"),
            description=_l("Tickets created per weekday and hour of the day."),
            columns=(
                Column("weekday", _l("Weekday"), "weekday"),
                Column("hour", _l("Hour")),
                Column("created", _l("Tickets created")),
            ),
            build=volume.heatmap,
            chart=Chart("heatmap", x="hour", y="weekday", series=("created",)),
            group_by=("day",),
            order=70,
        )
    )
    _register_sla()
    _register_qa()


def _register_sla() -> None:
    """The SLA report reads the automation addon's clocks: only when that addon is there."""
    if importlib.util.find_spec("plugins.automation") is None:
        return
    from plugins.reports.services.sla import sla

    register(
        ReportDef(
            name="sla",
            label=_l("SLA on-time rate"),
            description=_l(
                "Per SLA target: clocks started in each period, met in time, overdue, still "
                "running, and the on-time rate."
            ),
            columns=(
                BUCKET,
                NAME,
                Column("clocks", _l("Clocks")),
                Column("met", _l("Met in time")),
                Column("overdue", _l("Overdue")),
                Column("running", _l("Running")),
                Column("on_time_rate", _l("On-time rate"), "percent"),
            ),
            build=sla,
            chart=Chart("bar", x="bucket", series=("on_time_rate",), pivot="name"),
            order=35,
        )
    )


def _register_qa() -> None:
    """QA figures come from the quality addon's own query: only when that addon is there."""
    if importlib.util.find_spec("plugins.quality.services.figures") is None:
        return
    from plugins.reports.services.qa import qa

    register(
        ReportDef(
            name="qa",
            label=_l("QA figures"),
            description=_l(
                "Quality reviews submitted in the period: count, mean score, pass rate and "
                "critical failures per person, department or month."
            ),
            columns=(
                NAME,
                Column("reviews", _l("Reviews")),
                Column("average", _l("Mean score"), "percent"),
                Column("pass_rate", _l("Pass rate"), "percent"),
                Column("critical_failures", _l("Critical failures")),
            ),
            build=qa,
            chart=Chart("bar", x="name", series=("average", "pass_rate")),
            group_by=("person", "department", "month"),
            filters=(),
            order=80,
        )
    )
