"""API base: translated error bodies and domain-error mapping."""

from __future__ import annotations

import functools
from collections.abc import Callable

from flask import Response, request
from flask_appbuilder import ModelRestApi
from flask_babel import gettext as _

from plugins.tickets.api import rison_cache
from plugins.tickets.context import session
from plugins.tickets.permissions import METHOD_PERMISSIONS
from plugins.tickets.services.errors import DomainError

rison_cache.install()


class NotJsonObject(DomainError):
    """The request body is missing or is not a JSON object."""

    http_status = 400


def domain_errors(endpoint: Callable[..., Response]) -> Callable[..., Response]:
    """Turn a DomainError raised by a service into its HTTP answer, after a rollback, so an
    endpoint reads as: body, service call, response (innermost decorator)."""

    @functools.wraps(endpoint)
    def wrapper(self, *args, **kwargs) -> Response:
        try:
            return endpoint(self, *args, **kwargs)
        except DomainError as err:
            session().rollback()
            return self.domain_error(err)

    return wrapper


class TranslatedApi(ModelRestApi):
    """Every error is JSON with a message in the user's language."""

    method_permission_name = METHOD_PERMISSIONS
    allow_browser_login = True

    def response_400(self, message: str | None = None) -> Response:
        return self.response(400, message=message or _("The request is not correct."))

    def response_401(self) -> Response:
        return self.response(401, message=_("Please log in."))

    def response_403(self) -> Response:
        return self.response(403, message=_("You do not have permission to do this."))

    def response_404(self) -> Response:
        return self.response(404, message=_("Not found."))

    def response_422(self, message: str | None = None) -> Response:
        return self.response(422, message=message or _("The data could not be processed."))

    def response_500(self, message: str | None = None) -> Response:
        return self.response(500, message=_("Internal error. The administrator has been told."))

    def require_body(self) -> dict:
        """The JSON object sent, or NotJsonObject (400) for anything else."""
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise NotJsonObject(_("The request body must be a JSON object."))
        return body

    def domain_error(self, error: DomainError) -> Response:
        return self.response(error.http_status, **error.as_dict())
