"""Form fields shared by screens."""

from __future__ import annotations

from flask_appbuilder.fieldwidgets import BS3TextAreaFieldWidget, Select2Widget
from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, HiddenField, SelectField, TextAreaField
from wtforms.validators import Optional

from plugins.tickets.enums import CHANNEL_LABELS, DUTY_LABELS, PRIORITY_LABELS, choices


def priority_field() -> SelectField:
    return SelectField(
        _l("Priority"), choices=choices(PRIORITY_LABELS), default="normal", widget=Select2Widget()
    )


def channel_field() -> SelectField:
    return SelectField(
        _l("Channel"), choices=choices(CHANNEL_LABELS), default="phone", widget=Select2Widget()
    )


def duty_field() -> SelectField:
    return SelectField(
        _l("Duty"), choices=choices(DUTY_LABELS), default="handler", widget=Select2Widget()
    )


def version_field() -> HiddenField:
    return HiddenField()


def description_field() -> TextAreaField:
    return TextAreaField(
        _l("Description"), validators=[Optional()], widget=BS3TextAreaFieldWidget()
    )


def flag_field(label, default: bool = True) -> BooleanField:
    """A checkbox that may be left unticked (FAB makes non-null booleans required)."""
    return BooleanField(label, default=default)


def process_field() -> SelectField:
    """The process a category's tickets follow: the keys stored in the database."""

    def choices():
        from sqlalchemy import select

        from plugins.tickets.context import session
        from plugins.tickets.models import ProcessDefinition

        rows = (
            session()
            .execute(
                select(ProcessDefinition.key, ProcessDefinition.name)
                .where(ProcessDefinition.active.is_(True))
                .order_by(ProcessDefinition.key, ProcessDefinition.version.desc())
            )
            .all()
        )
        seen = dict((key, name) for key, name in reversed(rows))
        return [("", str(_l("Inherited / default process"))), *seen.items()]

    return SelectField(_l("Process"), choices=choices, widget=Select2Widget(), default="")
