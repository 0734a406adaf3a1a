"""What the automatic-answers context needs of the others, and its own store."""

from __future__ import annotations

from typing import Any, Protocol

from aftersales.answers.model import KbEntry
from aftersales.channels.ports import ConversationItem
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tracking.view import TrackingView


class KnowledgeStore(Protocol):
    """The tenant's knowledge base (adapters/dynamo/knowledge.py): one partition per tenant."""

    def entries(self, tenant_id: str) -> list[KbEntry]: ...

    def get(self, tenant_id: str, entry_id: str) -> KbEntry | None: ...

    def put(self, tenant_id: str, entry: KbEntry, expected_version: int | None) -> None:
        """Create (expected_version None: the id must be new) or replace the version read
        (Conflict when it moved on)."""

    def delete(self, tenant_id: str, entry_id: str) -> bool: ...


class AnsweredTickets(Protocol):
    """The tickets context's TicketService: the ticket, and the bot's notes on its audit chain."""

    def get(self, tenant_id: str, ticket_id: str, actor: Actor) -> Ticket: ...

    def note(self, tenant_id: str, ticket_id: str, event: str, actor: Actor, *, reason: str | None = None,
             data: dict[str, Any] | None = None) -> Ticket: ...


class CustomerViews(Protocol):
    """The tracking context's TicketViews: what the customer is shown of their ticket."""

    def view_of(self, tenant_id: str, ticket: Ticket) -> TrackingView: ...


class ConversationWriter(Protocol):
    """The channels context's ConversationStore."""

    def add(self, tenant_id: str, item: ConversationItem) -> None: ...
