"""A rig for the helpdesks services on in-memory fakes: tickets, conversations, settings, links,
the sync queue and the vendors' APIs; `event(ticket_id, seq)` reads an audit entry back as the
domain event the bus would carry (events.envelope's detail)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aftersales.core.clock import FixedClock
from aftersales.events.envelope import from_audit_image
from aftersales.helpdesks.inbound import HelpdeskInbound
from aftersales.helpdesks.model import Vendor, settings_name
from aftersales.helpdesks.outbound import HelpdeskOutbound
from aftersales.notifications.replies import ReplyService
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.service import TicketService
from tests.support.channels_fakes import FakeConversationStore, FakeIntegrationSettings
from tests.support.fakes.helpdesks import FakeHelpdeskApis, FakeLinkStore, FakeSyncQueue
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import SYSTEM, order

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
TENANT = "acme"
ZENDESK_SECRET = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="  # Zendesk's documented test secret
ZENDESK = {"subdomain": "acme", "email": "sync@acme.example", "api_token": "tok-0123456789",
           "webhook_signing_secret": ZENDESK_SECRET, "agent_map": {"3001": "agent-1"}}
FRESHDESK = {"domain": "acme", "api_key": "key-0123456789", "webhook_secret": "fd-secret-0123456789"}


@dataclass
class HelpdeskRig:
    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))
    ticket_store: InMemoryTicketStore = field(default_factory=InMemoryTicketStore)
    messages: FakeConversationStore = field(default_factory=FakeConversationStore)
    settings: FakeIntegrationSettings = field(default_factory=FakeIntegrationSettings)
    links: FakeLinkStore = field(default_factory=FakeLinkStore)
    queue: FakeSyncQueue = field(default_factory=FakeSyncQueue)
    apis: FakeHelpdeskApis = field(default_factory=FakeHelpdeskApis)

    def __post_init__(self) -> None:
        self.tickets = TicketService(self.ticket_store, self.clock)
        self.tickets.upsert_order(TENANT, order())
        self.replies = ReplyService(self.messages, self.tickets, self.clock)
        self.outbound = HelpdeskOutbound(self.settings, self.links, self.apis, self.queue, self.tickets,
                                         self.messages, self.clock)
        self.inbound = HelpdeskInbound(self.settings, self.links, self.apis, self.tickets, self.messages, self.clock)

    def configure(self, vendor: Vendor) -> None:
        self.settings.put(TENANT, settings_name(vendor), ZENDESK if vendor is Vendor.ZENDESK else FRESHDESK)

    def open(self) -> str:
        return self.tickets.open(TENANT, OpenTicket(type="complaint", order_id="O-1", channel="web",
                                                    reason_code="late_delivery", description="Late"), SYSTEM).id

    def event(self, ticket_id: str, seq: int | None = None) -> dict[str, Any]:
        entries = self.ticket_store.audit_entries(TENANT, ticket_id)
        entry = entries[-1] if seq is None else next(e for e in entries if e.seq == seq)
        ticket = self.ticket_store.get_ticket(TENANT, ticket_id)
        image = {"tenant_id": TENANT, "ticket_id": ticket_id, "ticket_type": ticket.type.value,
                 "customer_id": ticket.customer_id, "entry": entry.model_dump(mode="json")}
        return json.loads(from_audit_image(image)["Detail"])

    def audit_events(self, ticket_id: str) -> list[str]:
        return [e.event for e in self.ticket_store.audit_entries(TENANT, ticket_id)]
