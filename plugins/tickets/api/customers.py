"""/api/v1/customer/: list, show and the caller-number screen pop."""

from __future__ import annotations

from flask import Response, request
from flask_appbuilder.api import expose, protect, safe
from flask_appbuilder.security.decorators import permission_name
from flask_babel import gettext as _

from app.formatting import fmt_dt
from app.sqla import SQLAInterface
from plugins.tickets.api.base import TranslatedApi
from plugins.tickets.context import actor, session
from plugins.tickets.models import Customer
from plugins.tickets.services import customers as customer_service


class CustomerApi(TranslatedApi):
    resource_name = "customer"
    datamodel = SQLAInterface(Customer)
    class_permission_name = "Customer"
    include_route_methods = {"get", "get_list", "lookup"}
    list_columns = show_columns = ["id", "name", "email", "address", "phone_list"]
    search_columns = ["name", "email"]
    order_columns = ["id", "name"]
    base_order = ("id", "desc")

    @expose("/lookup", methods=["GET"])
    @protect()
    @safe
    @permission_name("lookup")
    def lookup(self) -> Response:
        """Screen pop: customers with this caller number and their five latest tickets.
        ---
        get:
          parameters:
          - in: query
            name: phone
            schema: {type: string}
          responses:
            200: {description: Matching customers (possibly none)}
            400: {description: Not a phone number}
        """
        phone = request.args.get("phone", "")
        e164, matches = customer_service.lookup(session(), actor(), phone)
        if e164 is None:
            return self.response_400(_("Not a valid phone number."))
        result = [
            {
                "id": m["customer"].id,
                "name": m["customer"].name,
                "email": m["customer"].email,
                "address": m["customer"].address,
                "phones": [p.raw for p in m["customer"].phones],
                "tickets": [
                    {
                        "id": t.id,
                        "number": t.number,
                        "subject": t.subject,
                        "status": t.status,
                        "status_label": t.status_label,
                        "created_at": fmt_dt(t.created_at),
                    }
                    for t in m["tickets"]
                ],
            }
            for m in matches
        ]
        return self.response(200, phone=e164, count=len(result), result=result)
