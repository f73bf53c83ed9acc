"""OpenAPI documentation of what /api/v1/sla_policy/ and /api/v1/calendar_day/ accept and
return, and of each item of "sla_clocks" in GET /api/v1/ticket/<id>.

These schemas only document: POST and PUT validate through sla.admin_service, which gives
the per-field messages (keys like `targets.resolve`).
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from plugins.automation.sla import admin_service as svc
from plugins.automation.sla.models import METRICS, CalendarOverride
from plugins.automation.sla.policies import KINDS
from plugins.tickets.enums import PRIORITY_LABELS

TARGETS_DOC = (
    f"{{metric: target}}; metrics: {', '.join(METRICS)}; a target is "
    f'{{"kind": one of {", ".join(KINDS)}, "amount": number, "warn_percent": 75}}. '
    "A metric left out has no clock. Errors come back keyed targets.<metric>."
)


class SlaPolicyPutSchema(Schema):
    name = fields.String(validate=validate.Length(min=1, max=svc.NAME_MAX))
    active = fields.Boolean()
    sort_order = fields.Integer(metadata={"description": "The first matching policy wins."})
    category_id = fields.Integer(
        allow_none=True, metadata={"description": "The category and its children; null: all."}
    )
    priority = fields.String(allow_none=True, validate=validate.OneOf(list(PRIORITY_LABELS)))
    targets = fields.Dict(keys=fields.String(), metadata={"description": TARGETS_DOC})


class SlaPolicyPostSchema(SlaPolicyPutSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=svc.NAME_MAX))


class SlaPolicySchema(SlaPolicyPostSchema):
    id = fields.Integer()
    created_at = fields.DateTime()


class SlaPolicySchemaList(SlaPolicySchema):
    """The same fields in the list (its own name in the OpenAPI spec)."""


class CalendarDayPutSchema(Schema):
    day = fields.Date(metadata={"description": "ISO date, e.g. 2026-10-08"})
    kind = fields.String(
        validate=validate.OneOf(list(svc.DAY_KINDS)),
        metadata={"description": "workday (调休上班) or holiday (放假)"},
    )
    note = fields.String(allow_none=True, validate=validate.Length(max=svc.NOTE_MAX))
    official = fields.Boolean(
        metadata={"description": "Copied from the State Council notice: the year then counts "
                  "as having official data."}
    )  # fmt: skip


class CalendarDayPostSchema(CalendarDayPutSchema):
    day = fields.Date(required=True, metadata={"description": "ISO date, e.g. 2026-10-08"})
    kind = fields.String(required=True, validate=validate.OneOf(list(svc.DAY_KINDS)))


class CalendarDaySchema(CalendarDayPostSchema):
    id = fields.Integer()
    kind = fields.Method("_kind", metadata={"description": "workday or holiday"})

    def _kind(self, row: CalendarOverride) -> str:
        return "workday" if row.is_working_day else "holiday"


class CalendarDaySchemaList(CalendarDaySchema):
    """The same fields in the list (its own name in the OpenAPI spec)."""


class SlaClockSchema(Schema):
    """One clock of the ticket (documentation of the "sla_clocks" items)."""

    metric = fields.String(metadata={"description": ", ".join(METRICS)})
    label = fields.String(metadata={"description": "The metric in the user's language"})
    cycle = fields.Integer(metadata={"description": "A new cycle after 重办 or a transfer back"})
    policy_id = fields.Integer(allow_none=True)
    kind = fields.String(metadata={"description": "working_minutes, calendar_minutes or "
                                   "working_days"})  # fmt: skip
    light = fields.String(metadata={"description": "green, yellow (warned) or red (breached)"})
    started_at = fields.DateTime()
    warn_at = fields.DateTime(allow_none=True)
    due_at = fields.DateTime(allow_none=True)
    budget_minutes = fields.Float()
    consumed_minutes = fields.Float()
    warn_percent = fields.Float()
    paused = fields.Boolean()
    warned = fields.Boolean()
    warned_at = fields.DateTime(allow_none=True)
    breached = fields.Boolean()
    breached_at = fields.DateTime(allow_none=True)
    stopped = fields.Boolean(metadata={"description": "Met, or closed without being met"})
    stopped_at = fields.DateTime(allow_none=True)
    unofficial_years = fields.List(
        fields.Integer(), metadata={"description": "Years whose holidays are guesses"}
    )
