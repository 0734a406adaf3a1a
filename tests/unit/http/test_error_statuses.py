"""One table maps domain errors to HTTP statuses, for API clients and for webhook providers."""

from __future__ import annotations

import pytest

from aftersales.core import errors
from aftersales.http.errors import status_for
from aftersales.logistics.verification import VerificationError


class Unclassified(errors.DomainError):
    """A domain error the table does not name."""


@pytest.mark.parametrize(("error", "api", "provider"), [
    (errors.PreconditionFailed, 412, 412),
    (errors.IllegalTransition, 409, 409),
    (errors.ConcurrentModification, 409, 409),
    (errors.NotFound, 404, 404),
    (errors.InvalidRequest, 422, 400),
    (errors.Forbidden, 403, 403),
    (VerificationError, 401, 401),
    (errors.ConflictingCredentials, 400, 400),
    (errors.EventNotPublished, 503, 503),
    (Unclassified, 400, 500),
])
def test_each_error_has_one_status_per_audience(error, api, provider):
    """GIVEN a domain error WHEN it answers an API client or a webhook provider THEN the status is
    the table's: the same for both except a refused input (422 vs 400) and an unclassified error
    (the client's request refused, 400, vs ours to fix so the provider retries, 500)."""
    exc = error("error.some_message")

    assert status_for(exc) == api
    assert status_for(exc, for_provider=True) == provider
