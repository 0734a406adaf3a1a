"""What the helpdesks context needs from the outside: the vendors' APIs, the link store, the
sync queue (and its DLQ), and the settings and conversations it shares with the channels."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from aftersales.helpdesks.model import InboundChange, Link, SyncJob, Vendor


class HelpdeskFault(Exception):
    """A vendor call that did not go through. `retry_after` (seconds) when the vendor said when
    to come back (429 Retry-After); `retryable` False for a refusal that a retry cannot fix."""

    def __init__(self, reason: str, *, status: int | None = None, retry_after: int | None = None,
                 retryable: bool = True) -> None:
        super().__init__(reason)
        self.reason, self.status, self.retry_after, self.retryable = reason, status, retry_after, retryable


@dataclass(frozen=True)
class NewTicket:
    ticket_id: str
    subject: str
    description: str
    status: str | int  # the vendor's
    tags: tuple[str, ...]
    requester_ref: str  # our customer id (never an e-mail address or phone number)


class HelpdeskApi(Protocol):
    """One vendor's REST API for one tenant's account (credentials bound by the factory)."""

    def create_ticket(self, ticket: NewTicket) -> str:
        """The vendor's ticket id; our id rides as external_id (Zendesk) / a tag + custom field (Freshdesk)."""
        ...

    def set_status(self, external_id: str, status: str | int) -> None: ...

    def add_comment(self, external_id: str, body: str, *, public: bool) -> str:
        """The new comment's (or conversation's) id on their side."""
        ...

    def read_changes(self, external_id: str) -> InboundChange:
        """The ticket as it stands with its conversation (Freshdesk: its webhook only says which ticket)."""
        ...


class HelpdeskApis(Protocol):
    def for_tenant(self, vendor: Vendor, settings: Mapping[str, Any]) -> HelpdeskApi: ...


class LinkStore(Protocol):
    def get(self, tenant_id: str, ticket_id: str, vendor: Vendor) -> Link | None: ...

    def by_external(self, tenant_id: str, vendor: Vendor, external_id: str) -> Link | None: ...

    def save(self, link: Link, expected_version: int) -> bool:
        """Store at version + 1 if the stored version is `expected_version` (0: new); False otherwise."""
        ...

    def first_seen(self, tenant_id: str, scope: str, key: str) -> bool:
        """A dedupe marker (inbound event ids, outbound change keys); True the first time only."""
        ...

    def forget(self, tenant_id: str, scope: str, key: str) -> None: ...


class SyncQueue(Protocol):
    def enqueue(self, jobs: Sequence[SyncJob], delay_seconds: int = 0) -> None:
        """Unavailable when the queue did not take them."""
        ...

    def park(self, job: SyncJob, reason: str) -> None:
        """The dead-letter queue: a job out of attempts, or refused for good."""
        ...
