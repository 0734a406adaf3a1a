"""Domain errors. HTTP mapping lives in one place: aftersales.http.errors."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base class. `code` is stable and machine-readable; `message_id` is a catalog msgid."""

    code = "domain_error"

    def __init__(self, message_id: str, /, **details: Any) -> None:
        super().__init__(message_id)
        self.message_id = message_id
        self.details = details


class NotFound(DomainError):
    code = "not_found"


class Conflict(DomainError):
    code = "conflict"


class IllegalTransition(Conflict):
    code = "illegal_transition"


class ConcurrentModification(Conflict):
    code = "concurrent_modification"


class BadRequest(DomainError):
    """The request as a whole cannot be taken as sent (400), whatever its body says."""

    code = "bad_request"


class ConflictingCredentials(BadRequest):
    """An API key and an Authorization header in one request: which one acts is ambiguous."""

    code = "conflicting_credentials"


class InvalidRequest(DomainError):
    """Semantically invalid input that passed schema validation (422)."""

    code = "invalid_request"


class Forbidden(DomainError):
    code = "forbidden"


class Unauthorized(DomainError):
    code = "unauthorized"


class PreconditionFailed(DomainError):
    """If-Match did not match the current version (412)."""

    code = "precondition_failed"


class Unavailable(DomainError):
    """A fault on our side or a provider's (a bus, queue or table that did not take the write):
    503, so the caller — storefront or webhook provider — retries later."""

    code = "unavailable"


class EventNotPublished(Unavailable):
    code = "event_not_published"
