"""QA screens: thin views over plugins.quality.services."""

from __future__ import annotations

from flask import flash

from plugins.tickets.services.errors import DomainError


def flash_error(err: DomainError) -> None:
    """The message, then each field's problem (the form is gone after a redirect)."""
    details = [str(v) for v in err.fields.values()]
    flash("；".join([str(err.message), *details]), "danger")
