"""Delivery errors of the customer-notification outbox."""

from __future__ import annotations

from aftersales.core.errors import DomainError


class DeliveryFailed(DomainError):
    """The provider could not take the message now (network, 5xx, rate limit, bad configuration):
    the queue retries the record and, after maxReceiveCount, parks it in the DLQ."""

    code = "delivery_failed"


class RecipientUnreachable(DomainError):
    """The provider will never deliver to this address on this channel (unknown or blocked user):
    retrying is pointless, the outbox tries the customer's next channel instead."""

    code = "recipient_unreachable"
