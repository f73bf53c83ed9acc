"""Customer screens with their phones and ticket history."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import TextAreaField, ValidationError

from app.formatting import fmt_dt
from app.sqla import SQLAInterface
from plugins.tickets.models import Customer
from plugins.tickets.services.customers import set_phones
from plugins.tickets.services.phones import to_e164
from plugins.tickets.views.base import BaseModelView
from plugins.tickets.views.tickets import TicketView


def _split(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").replace(",", "\n").replace("，", "\n").splitlines()]


def _check_phones(form, field) -> None:
    bad = [p for p in _split(field.data) if p and to_e164(p) is None]
    if bad:
        raise ValidationError(
            str(_l("Not a valid phone number: %(numbers)s", numbers=", ".join(bad)))
        )


def phones_field() -> TextAreaField:
    return TextAreaField(
        _l("Phones"),
        description=_l("One number per line, e.g. 13800138000 or 010-12345678."),
        validators=[_check_phones],
    )


class CustomerTicketsView(TicketView):
    """A customer's tickets under the customer page; scoped like every ticket list."""

    list_columns = ["number", "subject", "category", "department", "status_label", "created_at"]


class CustomerView(BaseModelView):
    datamodel = SQLAInterface(Customer)
    class_permission_name = "Customer"
    list_title = _l("Customers")
    show_title = _l("Customer")
    add_title = _l("Add customer")
    edit_title = _l("Edit customer")
    related_views = [CustomerTicketsView]
    label_columns = {
        "name": _l("Name"),
        "email": _l("Email"),
        "address": _l("Address"),
        "notes": _l("Notes"),
        "phone_list": _l("Phones"),
        "phone_numbers": _l("Phones"),
        "created_at": _l("Created at"),
    }
    list_columns = ["name", "phone_list", "email", "address"]
    show_columns = ["name", "phone_list", "email", "address", "notes", "created_at"]
    add_columns = edit_columns = ["name", "phone_numbers", "email", "address", "notes"]
    add_form_extra_fields = edit_form_extra_fields = {"phone_numbers": phones_field()}
    search_columns = ["name", "email", "address"]
    base_order = ("id", "desc")
    formatters_columns = {"created_at": fmt_dt}

    def prefill_form(self, form, pk) -> None:
        item = self.datamodel.get(pk)
        form.phone_numbers.data = "\n".join(p.raw for p in item.phones)

    def pre_add(self, item: Customer) -> None:
        set_phones(item, _split(getattr(item, "phone_numbers", "")))

    pre_update = pre_add
