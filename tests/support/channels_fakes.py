"""In-memory fakes of the channels context's ports (aftersales/channels/ports.py), one per Protocol,
each saying what it holds with __len__ / __contains__; and `ChannelRig`, the channel use cases
built on them (a fake per port, so a unit that reached past the ports it declares would fail here)
with the real TicketService on an in-memory ticket store and a FixedClock."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.channels.aggregation import Aggregation
from aftersales.channels.arrivals import OrderArrivals
from aftersales.channels.contacts import CustomerContacts
from aftersales.channels.conversations import Conversations
from aftersales.channels.customers import CustomerLinks
from aftersales.channels.dedupe import Dedupe
from aftersales.channels.douyin_intake import DouyinIntake, DouyinPush
from aftersales.channels.email_intake import EmailIntake
from aftersales.channels.im_intake import ImIntake
from aftersales.channels.parking import Parking
from aftersales.channels.ports import ConversationItem
from aftersales.channels.replay import ReplayWindow
from aftersales.channels.text_intake import TextIntake
from aftersales.channels.unmatched import UnmatchedInbox
from aftersales.channels.wecom_intake import WeComIntake
from aftersales.channels.wecom_kf import KfSyncPage
from aftersales.core.clock import FixedClock
from aftersales.core.errors import DomainError
from aftersales.disputes.service import DisputeService
from aftersales.tickets.service import TicketService
from tests.support.fakes.disputes import CheckedEvidence, InMemoryDisputeStore
from tests.support.fakes.tickets import InMemoryTicketStore

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
ORDER = "SO-20261118-01"  # an order number free text can name (the unit tests' conftest seeds it, and O-1)


class FakeDedupeMarkers:
    def __init__(self) -> None:
        self.seen: set[tuple[str, str, str]] = set()

    def __len__(self) -> int:
        return len(self.seen)

    def __contains__(self, marker: object) -> bool:  # (tenant, source, external id)
        return marker in self.seen

    def first_seen(self, tenant_id: str, source: str, external_id: str, ttl_days: int = 30) -> bool:
        if (tenant_id, source, external_id) in self.seen:
            return False
        self.seen.add((tenant_id, source, external_id))
        return True

    def forget(self, tenant_id: str, source: str, external_id: str) -> None:
        self.seen.discard((tenant_id, source, external_id))


class FakeIndexKeys:
    def __init__(self) -> None:
        self.keys: dict[tuple[str, str], str] = {}

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: object) -> bool:  # (tenant, key)
        return key in self.keys

    def claim(self, tenant_id: str, key: str, ticket_id: str) -> str | None:
        if (tenant_id, key) in self.keys:
            return self.keys[(tenant_id, key)]
        self.keys[(tenant_id, key)] = ticket_id
        return None

    def lookup(self, tenant_id: str, key: str) -> str | None:
        return self.keys.get((tenant_id, key))

    def release(self, tenant_id: str, key: str, ticket_id: str) -> None:
        if self.keys.get((tenant_id, key)) == ticket_id:
            del self.keys[(tenant_id, key)]


class FakeCustomerDirectory:
    def __init__(self) -> None:
        self.links: dict[tuple[str, str], str] = {}
        self.addresses: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}

    def __len__(self) -> int:
        return len(self.links)

    def __contains__(self, identity: object) -> bool:  # (tenant, identity key)
        return identity in self.links

    def customer_of(self, tenant_id: str, identity_key: str) -> str | None:
        return self.links.get((tenant_id, identity_key))

    def link(self, tenant_id: str, customer_id: str, identity_keys: list[str]) -> None:
        for key in identity_keys:
            self.links[(tenant_id, key)] = customer_id

    def put_contact(self, tenant_id: str, customer_id: str, channel: str, address: str,
                    locale: str | None, details: Mapping[str, str] | None = None) -> None:
        self.addresses.setdefault((tenant_id, customer_id), {})[channel] = {
            **(details or {}), "address": address, "locale": locale}

    def contacts(self, tenant_id: str, customer_id: str) -> dict[str, dict[str, Any]]:
        return {k: dict(v) for k, v in self.addresses.get((tenant_id, customer_id), {}).items()}


class FakeParkedItems:
    def __init__(self) -> None:
        # (tenant, key) -> sort key -> (item, expires_at, listed), as the adapter's INBOX#<key> partitions
        self.inboxes: dict[tuple[str, str], dict[str, tuple[dict[str, Any], int | None, bool]]] = {}
        self.settlements: dict[tuple[str, str], tuple[dict[str, Any], int]] = {}

    def __len__(self) -> int:  # listed items (what the unmatched inbox shows)
        return sum(listed for inbox in self.inboxes.values() for _, _, listed in inbox.values())

    def __contains__(self, message_id: object) -> bool:  # a parked item's message id
        return any(item["message_id"] == message_id for inbox in self.inboxes.values()
                   for item, _, _ in inbox.values())

    def park(self, tenant_id: str, identity_key: str, item: dict[str, Any], *, expires_at: int | None = None,
             listed: bool = False) -> None:
        inbox = self.inboxes.setdefault((tenant_id, identity_key), {})
        inbox[f"MSG#{item['at']}#{item['message_id']}"] = (dict(item), expires_at, listed)

    def parked(self, tenant_id: str, identity_key: str) -> list[dict[str, Any]]:
        inbox = self.inboxes.get((tenant_id, identity_key), {})
        return [dict(inbox[sk][0]) for sk in sorted(inbox)]

    def unpark(self, tenant_id: str, identity_key: str, item: dict[str, Any] | None = None) -> None:
        inbox = self.inboxes.get((tenant_id, identity_key), {})
        if item is None:
            inbox.clear()
        else:
            inbox.pop(f"MSG#{item['at']}#{item['message_id']}", None)

    def _listed(self, tenant_id: str) -> list[tuple[str, dict[str, Any], int | None]]:
        return [(key, item, expires) for (tenant, key), inbox in self.inboxes.items() if tenant == tenant_id
                for item, expires, listed in inbox.values() if listed]

    def unmatched_page(self, tenant_id: str, *, before: str | None, limit: int, now_epoch: int
                       ) -> tuple[list[tuple[str, dict[str, Any], int]], str | None]:
        rows = sorted(((item["message_id"], item, expires or 0) for _, item, expires in self._listed(tenant_id)
                       if (before is None or item["message_id"] < before)), key=lambda r: r[0], reverse=True)
        page = [(i, dict(item), e) for i, item, e in rows[:limit] if e > now_epoch]
        return page, rows[limit - 1][0] if len(rows) > limit else None

    def unmatched_item(self, tenant_id: str, item_id: str) -> tuple[str, dict[str, Any], int | None] | None:
        return next(((key, dict(item), expires) for key, item, expires in self._listed(tenant_id)
                     if item["message_id"] == item_id), None)

    def settle(self, tenant_id: str, item_id: str, record: dict[str, Any], expires_at: int, *,
               overwrite: bool = False) -> bool:
        if (tenant_id, item_id) in self.settlements and not overwrite:
            return False
        self.settlements[(tenant_id, item_id)] = (dict(record), expires_at)
        return True

    def settled(self, tenant_id: str, item_id: str) -> dict[str, Any] | None:
        found = self.settlements.get((tenant_id, item_id))
        return dict(found[0]) if found else None

    def unsettle(self, tenant_id: str, item_id: str) -> None:
        self.settlements.pop((tenant_id, item_id), None)


class FakeKeptBodies:
    def __init__(self) -> None:
        self.bodies: dict[tuple[str, str, str], bytes] = {}

    def __len__(self) -> int:
        return len(self.bodies)

    def __contains__(self, body_id: object) -> bool:
        return any(key[2] == body_id for key in self.bodies)

    def keep_body(self, tenant_id: str, source: str, body_id: str, body: bytes, ttl_days: int = 30) -> bool:
        if (tenant_id, source, body_id) in self.bodies:
            return False
        self.bodies[(tenant_id, source, body_id)] = body
        return True

    def kept_body(self, tenant_id: str, source: str, body_id: str) -> bytes | None:
        return self.bodies.get((tenant_id, source, body_id))

    def forget_body(self, tenant_id: str, source: str, body_id: str) -> None:
        self.bodies.pop((tenant_id, source, body_id), None)


class FakeExternalRefs:
    def __init__(self) -> None:
        self.refs: dict[tuple[str, str, str], dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self.refs)

    def __contains__(self, ticket_id: object) -> bool:
        return any(key[1] == ticket_id for key in self.refs)

    def put_external_ref(self, tenant_id: str, ticket_id: str, platform: str, ref: dict[str, Any]) -> None:
        self.refs[(tenant_id, ticket_id, platform)] = dict(ref)

    def external_ref(self, tenant_id: str, ticket_id: str, platform: str) -> dict[str, Any] | None:
        return self.refs.get((tenant_id, ticket_id, platform))


class FakeKfCursors:
    def __init__(self) -> None:
        self.cursors: dict[tuple[str, str], str] = {}

    def __len__(self) -> int:
        return len(self.cursors)

    def __contains__(self, open_kfid: object) -> bool:
        return any(key[1] == open_kfid for key in self.cursors)

    def kf_cursor(self, tenant_id: str, open_kfid: str) -> str | None:
        return self.cursors.get((tenant_id, open_kfid))

    def save_kf_cursor(self, tenant_id: str, open_kfid: str, cursor: str) -> None:
        self.cursors[(tenant_id, open_kfid)] = cursor


class FakeConversationStore:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], list[ConversationItem]] = {}

    def __len__(self) -> int:
        return sum(len(items) for items in self.items.values())

    def __contains__(self, message_id: object) -> bool:
        return any(i.message_id == message_id for items in self.items.values() for i in items)

    def add(self, tenant_id: str, item: ConversationItem) -> None:
        self.items.setdefault((tenant_id, item.ticket_id), []).append(item)

    def list(self, tenant_id: str, ticket_id: str) -> list[ConversationItem]:
        return sorted(self.items.get((tenant_id, ticket_id), []), key=lambda i: (i.at, i.message_id))


class FakeAttachmentStore:
    def __init__(self) -> None:
        self.objects: dict[str, tuple[bytes, str]] = {}

    def __len__(self) -> int:
        return len(self.objects)

    def __contains__(self, key: object) -> bool:
        return key in self.objects

    def put(self, tenant_id: str, key: str, content: bytes, content_type: str) -> str:
        self.objects[key] = (content, content_type)
        return key


class FakeIntegrationSettings:
    def __init__(self) -> None:
        self.configs: dict[tuple[str, str], dict[str, Any]] = {}

    def __len__(self) -> int:
        return len(self.configs)

    def __contains__(self, name: object) -> bool:
        return any(key[1] == name for key in self.configs)

    def get(self, tenant_id: str, name: str) -> dict[str, Any] | None:
        found = self.configs.get((tenant_id, name))
        return dict(found) if found is not None else None

    def put(self, tenant_id: str, name: str, config: dict[str, Any]) -> None:
        self.configs[(tenant_id, name)] = dict(config)

    def names(self, tenant_id: str) -> list[str]:
        return sorted(name for tenant, name in self.configs if tenant == tenant_id)


class FakeKfMessages:
    """kf/sync_msg answering scripted pages by cursor; an Exception in `pages` is raised instead."""

    def __init__(self, pages: dict[str | None, KfSyncPage | Exception] | None = None) -> None:
        self.pages = dict(pages or {})
        self.reads: list[tuple[str, str, str | None, str | None]] = []

    def __len__(self) -> int:
        return len(self.reads)

    def __contains__(self, cursor: object) -> bool:  # a cursor a read started from
        return any(read[2] == cursor for read in self.reads)

    def sync_msg(self, tenant_id: str, *, open_kfid: str, cursor: str | None, token: str | None,
                 limit: int = 1000) -> KfSyncPage:
        self.reads.append((tenant_id, open_kfid, cursor, token))
        page = self.pages[cursor]
        if isinstance(page, Exception):
            raise page
        return page


class FakeKfSyncRequests:
    def __init__(self, *, failing: bool = False) -> None:
        self.requests: list[tuple[str, str, str | None, str]] = []
        self.failing = failing

    def __len__(self) -> int:
        return len(self.requests)

    def __contains__(self, event_id: object) -> bool:
        return any(r[3] == event_id for r in self.requests)

    def request(self, tenant_id: str, open_kfid: str, token: str | None, event_id: str) -> None:
        if self.failing:
            raise ConnectionError("sqs unavailable")
        self.requests.append((tenant_id, open_kfid, token, event_id))


class FakeDouyinQueue:
    def __init__(self, *, refusing: bool = False) -> None:
        self.messages: list[tuple[str, str, list[str]]] = []
        self.refusing = refusing

    def __len__(self) -> int:
        return len(self.messages)

    def __contains__(self, msg_id: object) -> bool:
        return any(msg_id in group for _, _, group in self.messages)

    def enqueue(self, tenant_id: str, push_id: str, groups: list[list[str]]) -> list[list[str]]:
        if self.refusing:
            return groups
        self.messages += [(tenant_id, push_id, list(group)) for group in groups]
        return []


class FakeImIntakeQueue:
    """What the IM push left for the worker: (tenant, channel, body id, event type), in order."""

    def __init__(self, *, refusing: bool = False) -> None:
        self.messages: list[tuple[str, str, str, str]] = []
        self.refusing = refusing

    def __len__(self) -> int:
        return len(self.messages)

    def __contains__(self, body_id: object) -> bool:
        return any(m[2] == body_id for m in self.messages)

    def enqueue(self, tenant_id: str, channel: str, body_id: str, event_type: str) -> None:
        if self.refusing:
            raise DomainError("error.event_publish_failed", detail_type="im.intake")
        self.messages.append((tenant_id, channel, body_id, event_type))

    def take(self) -> list[tuple[str, str, str, str]]:
        taken, self.messages = self.messages, []
        return taken


class FakePlatformRefunds:
    def __init__(self, *, waiting: bool = False) -> None:
        self.waiting = waiting  # a grant of ours waits for the platform's refund
        self.settled: list[tuple[str, str, str]] = []

    def __len__(self) -> int:
        return len(self.settled)

    def __contains__(self, ticket_id: object) -> bool:
        return any(s[1] == ticket_id for s in self.settled)

    def settle_by_platform(self, tenant_id: str, ticket_id: str, platform: str) -> object | None:
        if not self.waiting:
            return None
        self.settled.append((tenant_id, ticket_id, platform))
        return ticket_id


@dataclass
class ChannelRig:
    clock: FixedClock = field(default_factory=lambda: FixedClock(NOW))
    ticket_store: InMemoryTicketStore = field(default_factory=InMemoryTicketStore)
    markers: FakeDedupeMarkers = field(default_factory=FakeDedupeMarkers)
    keys: FakeIndexKeys = field(default_factory=FakeIndexKeys)
    directory: FakeCustomerDirectory = field(default_factory=FakeCustomerDirectory)
    items: FakeParkedItems = field(default_factory=FakeParkedItems)
    bodies: FakeKeptBodies = field(default_factory=FakeKeptBodies)
    refs: FakeExternalRefs = field(default_factory=FakeExternalRefs)
    cursors: FakeKfCursors = field(default_factory=FakeKfCursors)
    messages: FakeConversationStore = field(default_factory=FakeConversationStore)
    attachments: FakeAttachmentStore = field(default_factory=FakeAttachmentStore)
    settings: FakeIntegrationSettings = field(default_factory=FakeIntegrationSettings)
    kf: FakeKfMessages = field(default_factory=FakeKfMessages)
    kf_requests: FakeKfSyncRequests = field(default_factory=FakeKfSyncRequests)
    douyin_queue: FakeDouyinQueue = field(default_factory=FakeDouyinQueue)
    im_queue: FakeImIntakeQueue = field(default_factory=lambda: FakeImIntakeQueue())
    platform_refunds: FakePlatformRefunds = field(default_factory=FakePlatformRefunds)
    dispute_store: InMemoryDisputeStore = field(default_factory=InMemoryDisputeStore)
    dispute_events: RecordingPublisher = field(default_factory=RecordingPublisher)

    def __post_init__(self) -> None:
        self.tickets = TicketService(self.ticket_store, self.clock)
        self.disputes = DisputeService(self.dispute_store, self.tickets, CheckedEvidence(), self.dispute_events,
                                       self.clock)
        self.conversations = Conversations(self.messages, self.tickets, self.clock)
        self.links = CustomerLinks(self.directory)
        self.aggregation = Aggregation(self.keys, self.links, self.tickets, self.conversations)
        self.parking = Parking(self.items, self.clock)
        self.dedupe = Dedupe(self.markers)
        self.text = TextIntake(self.links, self.aggregation, self.conversations, self.tickets, self.keys,
                               self.parking)
        self.contacts = CustomerContacts(self.links, self.text)
        self.inbox = UnmatchedInbox(self.items, self.keys, self.links, self.aggregation, self.conversations,
                                    self.text, self.tickets, self.clock)
        self.douyin = DouyinIntake(self.bodies, self.dedupe, self.keys, self.refs, self.aggregation,
                                   self.conversations, self.tickets, self.parking, self.platform_refunds,
                                   self.disputes)
        self.douyin_push = DouyinPush(self.settings, self.bodies, self.douyin_queue)
        self.arrivals = OrderArrivals(self.douyin, self.text)
        self.wecom = WeComIntake(self.settings, ReplayWindow(self.markers, self.clock, "wecom"), self.dedupe,
                                 self.text, self.cursors, self.kf, self.kf_requests)
        self.email = EmailIntake(self.dedupe, self.keys, self.aggregation, self.conversations, self.text,
                                 self.parking, self.attachments)
        self.im = ImIntake(self.settings, self.dedupe, self.text, self.conversations, self.links, self.keys,
                           self.parking, self.tickets, self.clock, self.bodies, self.im_queue)

    def conversation(self, ticket_id: str, tenant_id: str = "acme") -> list[ConversationItem]:
        return self.messages.list(tenant_id, ticket_id)

    def audit_events(self, ticket_id: str, tenant_id: str = "acme") -> list[str]:
        return [e.event for e in self.ticket_store.audit_entries(tenant_id, ticket_id)]
