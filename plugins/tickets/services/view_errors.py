"""View condition errors in the user's language.

workflows.view_conditions reports errors as keys with parameters; this module gives each
key a translatable text and names fields and operators by their labels.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from plugins.tickets.services.view_fields import OPERATOR_LABELS, ViewField, label_of
from workflows import view_conditions as vc

TEXTS: dict[str, object] = {
    "not_an_object": _l("Must be an object."),
    "unknown_key": _l("Unknown key '%(key)s'."),
    "bad_match": _l("Must be 'all' or 'any'."),
    "not_a_list": _l("Must be a list."),
    "too_many": _l("At most %(max)s entries."),
    "required": _l("This field is required."),
    "unknown_field": _l("Unknown field '%(field)s'."),
    "unknown_op": _l("Unknown operator '%(op)s'."),
    "op_not_allowed": _l("The operator '%(op)s' cannot be used with the field '%(field)s'."),
    "no_value": _l("The operator '%(op)s' takes no value."),
    "empty_list": _l("Must be a non-empty list."),
    "not_text": _l("Enter a text of at most %(max)s characters."),
    "not_a_number": _l("Must be a number."),
    "not_a_date": _l("Enter a date like 2026-11-23."),
    "not_a_datetime": _l("Enter a date and time like 2026-11-23T08:00."),
    "not_hours": _l("Enter a whole number of hours from 1 to %(max)s."),
    "not_a_choice": _l("'%(value)s' is not a choice of the field '%(field)s'."),
    "not_a_bool": _l("Must be true or false."),
    "not_an_id": _l("Must be a positive whole number (an id)."),
    "not_an_id_or": _l("Must be a positive whole number (an id) or '%(special)s'."),
    "duplicate": _l("'%(value)s' is listed twice."),
    "bad_dir": _l("Must be 'asc' or 'desc'."),
}


def translate(error: vc.ViewError, fields: dict[str, ViewField]) -> str:
    """The error's text in the user's language, fields and operators by their labels."""
    params = dict(error.params)
    if "field" in params:
        params["field"] = label_of(fields, str(params["field"]))
    if "op" in params and params["op"] in OPERATOR_LABELS:
        params["op"] = str(OPERATOR_LABELS[params["op"]])
    template = TEXTS.get(error.key)
    if template is None:
        return error.text
    return str(template) % params if params else str(template)
