"""Extra keys in GET /api/v1/ticket/<id>: addons register a provider, the ticket API merges
what each returns under the provider's name (e.g. "sla_clocks"), so plugins/tickets shows
an addon's data without importing the addon.

Like plugins/tickets/panels.py for the ticket page: providers live in app.extensions; one
failing provider is logged and left out rather than breaking the API. A provider may give
a marshmallow schema of one item, so the OpenAPI spec documents its key as a list of them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from marshmallow import Schema

from plugins.tickets.models import Ticket

log = logging.getLogger(__name__)
ExtraProvider = Callable[[Ticket], Any]
_KEY = "ticket_api_extras"


@dataclass(frozen=True)
class TicketExtra:
    provider: ExtraProvider
    item_schema: type[Schema] | None = None
    description: str = ""


def register_ticket_extra(
    app: Flask,
    name: str,
    provider: ExtraProvider,
    item_schema: type[Schema] | None = None,
    description: str = "",
) -> None:
    """`provider(ticket)` returns JSON-able data shown under `name` in the ticket's GET."""
    app.extensions.setdefault(_KEY, {})[name] = TicketExtra(provider, item_schema, description)


def ticket_extras(ticket: Ticket) -> dict[str, Any]:
    """{name: data} from every registered provider for this (already scoped) ticket."""
    out: dict[str, Any] = {}
    for name, extra in current_app.extensions.get(_KEY, {}).items():
        try:
            out[name] = extra.provider(ticket)
        except Exception:  # noqa: BLE001 - an addon's extra must not break the ticket API
            log.exception("ticket API extra %s failed", name)
    return out


def document_extras(api_spec: Any, schema_name: str) -> None:
    """Add each extra as an array property of the component `schema_name` (the GET schema)."""
    properties = api_spec.components.schemas.get(schema_name, {}).setdefault("properties", {})
    for name, extra in current_app.extensions.get(_KEY, {}).items():
        prop: dict[str, Any] = {"type": "array", "readOnly": True}
        if extra.item_schema is not None:
            component = f"TicketExtra.{name}"
            if component not in api_spec.components.schemas:
                api_spec.components.schema(component, schema=extra.item_schema)
            prop["items"] = {"$ref": f"#/components/schemas/{component}"}
        if extra.description:
            prop["description"] = extra.description
        properties[name] = prop
