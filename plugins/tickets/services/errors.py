"""Domain errors. Views and APIs map them to flashes and HTTP codes."""

from __future__ import annotations


class DomainError(Exception):
    """A user's mistake or a refused operation; never a 500."""

    http_status = 400

    def __init__(self, message: object, fields: dict[str, object] | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.fields = fields or {}

    def __str__(self) -> str:
        return str(self.message)

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"message": str(self.message)}
        if self.fields:
            body["errors"] = {k: str(v) for k, v in self.fields.items()}
        return body


class ValidationFailed(DomainError):
    http_status = 422


class NotFound(DomainError):
    http_status = 404


class Forbidden(DomainError):
    http_status = 403


class StaleVersion(DomainError):
    http_status = 409


class Conflict(DomainError):
    """The ticket's state does not allow this now (another action moved it first)."""

    http_status = 409
