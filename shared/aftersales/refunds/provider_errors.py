"""Provider outcomes the refund saga distinguishes (adapters raise these `from` the SDK error).

* ProviderUnavailable: 5xx, timeouts, rate limits, connection errors. Retry with the SAME
  idempotency key; the provider then returns the refund it already made, if any.
* ProviderRejected: the provider refused the request (declined, invalid, already refunded).
  Retrying the same request cannot succeed; the saga fails the attempt and surfaces the reason.
"""

from __future__ import annotations

from pydantic import ConfigDict

from aftersales.core.errors import InvalidRequest, Unavailable
from aftersales.core.model import DomainModel


class ProviderUnavailable(Unavailable):
    code = "provider_unavailable"


class ProviderRejected(InvalidRequest):
    code = "provider_rejected"


class ProviderRefundStatus(DomainModel):
    """A refund as the provider reports it now (failure_reason when failed / canceled)."""

    model_config = ConfigDict(frozen=True)

    provider_refund_id: str
    raw_status: str

    failure_reason: str | None = None
