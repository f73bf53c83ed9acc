"""What the trigger and automation screens share: add, edit, delete and order over a rule
service (`ordered`, `get`, `as_dict`, `delete`) whose rows carry JSON conditions and actions.

Each screen keeps its own list, form, submit and run log; it sets the class attributes below.
"""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose, has_access

from plugins.tickets.context import session
from plugins.tickets.services.errors import NotFound


def dump_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


def int_or_none(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.lstrip("-").isdigit() else None


class RuleAdminMixin:
    """Routes of a rule screen; the view supplies `_form(row, form, errors)` and `_submit(row)`."""

    #: The rule service module.
    rule_service: ModuleType
    #: {"conditions": …, "actions": …} shown in a new rule's form.
    example: dict[str, Any]
    #: Flash messages (lazy, "%(name)s" in the first).
    deleted_message: Any
    ordered_message: Any

    @expose("/add", methods=["GET", "POST"])
    @has_access
    def add(self):
        if request.method == "POST":
            return self._submit(None)
        form = {"active": True, "sort_order": 0, "name": "",
                "conditions": dump_json(self.example["conditions"]),
                "actions": dump_json(self.example["actions"])}  # fmt: skip
        return self._form(None, form, {})

    def _row(self, pk: int):
        try:
            return self.rule_service.get(session(), pk)
        except NotFound:
            abort(404)

    @expose("/edit/<int:pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk: int):
        row = self._row(pk)
        if request.method == "POST":
            return self._submit(row)
        form = self.rule_service.as_dict(row)
        form["conditions"], form["actions"] = dump_json(row.conditions), dump_json(row.actions)
        return self._form(row, form, {})

    @expose("/delete/<int:pk>", methods=["POST"])
    @has_access
    def delete(self, pk: int):
        row = self._row(pk)
        name = row.name
        self.rule_service.delete(session(), row)
        flash(str(self.deleted_message) % {"name": name}, "success")
        return redirect(url_for(".list"))

    @expose("/order", methods=["POST"])
    @has_access
    def order(self):
        """Sort order and on/off of every rule in one form."""
        db = session()
        for row in self.rule_service.ordered(db):
            order = int_or_none(request.form.get(f"sort_order_{row.id}"))
            if order is not None:
                row.sort_order = order
                row.active = request.form.get(f"active_{row.id}") == "y"
        db.commit()
        flash(str(self.ordered_message), "success")
        return redirect(url_for(".list"))
