"""Tickets in the states customers ask about, on the real tickets, refunds-store, parcel-store and
SLA-store fakes of the tracking page's rig, with the automatic answers built over them the way
wiring builds them (TicketViews + KnowledgeBase + AutomaticAnswers). Used by the answers' unit and
integration tests and by bench/answers.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aftersales.answers.knowledge import EntryChanges, KnowledgeBase
from aftersales.answers.service import AutomaticAnswers
from aftersales.logistics.events import Checkpoint, Place, Provider, TrackingEvent, TrackingStatus
from aftersales.logistics.ports import Parcel, Registration
from aftersales.logistics.progression import ParcelState
from aftersales.refunds.grants import RefundAttempt, RefundStatus
from aftersales.tickets.model import Role, Status, TicketType
from aftersales.tracking.service import TicketViews
from tests.support.channels_fakes import FakeCustomerDirectory, FakeDedupeMarkers
from tests.support.fakes.answers import InMemoryKnowledgeStore
from tests.support.ticket_factories import CUSTOMER, actor
from tests.support.tickets import walk
from tests.support.tracking import SUPERVISOR, TENANT, TrackingRig

RESHIP_TRACKING = "YT9876543210"
MERCHANT = actor(Role.ADMIN, id="admin-1")
# The sample tenant's knowledge base (the bench's and the tests'): id -> (questions, answers)
SAMPLE_KB: dict[str, tuple[list[str], dict[str, str]]] = {
    "return_address": (["what is the return address", "where do I send the item back", "退货地址是什么",
                        "寄回地址在哪", "退货寄到哪里"],
                       {"en": "Please send returns to: Acme Returns, 88 Harbour Rd, Shenzhen 518000.",
                        "zh-Hans": "退货请寄至：深圳市海港路88号 Acme 退货组，邮编 518000。"}),
    "invoice": (["can I get an invoice", "I need a VAT invoice", "how do I get a receipt", "能开发票吗",
                 "怎么开发票", "需要开具发票"],
                {"en": "Invoices are issued from your order page under 'Invoice' within 24 hours.",
                 "zh-Hans": "发票可在订单页“发票”处申请，24 小时内开具。"}),
    "opening_hours": (["what are your opening hours", "when is customer service online", "客服几点上班",
                       "你们几点下班", "客服工作时间"],
                      {"en": "Our service team answers every day from 9:00 to 21:00 (China time).",
                       "zh-Hans": "客服每天 9:00-21:00（北京时间）在线。"}),
}


class AnswersRig(TrackingRig):
    def __init__(self, *, locale: str = "zh-Hans") -> None:
        super().__init__(locale=locale)
        self.knowledge_store = InMemoryKnowledgeStore()
        self.knowledge = KnowledgeBase(self.knowledge_store, self.clock, ttl=60.0)
        self.views = TicketViews(self.tickets, self.ticket_store, self.deadlines, self.parcels, self.refunds,
                                 self.conversations)
        self.answers = AutomaticAnswers(self.knowledge, self.tickets, self.views, self.conversations, self.clock)
        self.kb_ids: dict[str, str] = {}

    def sample_knowledge(self) -> dict[str, str]:
        """The sample entries in this tenant's knowledge base; name -> entry id."""
        for name, (questions, answers) in SAMPLE_KB.items():
            entry = self.knowledge.create(TENANT, EntryChanges(questions=questions, answers=answers, tags=[name]))
            self.kb_ids[name] = entry.entry_id
        return self.kb_ids

    # ------------------------------------------------------------------ ticket states
    def state(self, name: str) -> str:
        return getattr(self, name)()

    def awaiting_return(self) -> str:
        ticket_id = self.opened()
        walk(self.tickets, TENANT, ticket_id, "pending_approval", "approved", "awaiting_return", actor=SUPERVISOR)
        self.project(ticket_id)
        return ticket_id

    def pending_approval(self) -> str:
        ticket_id = self.opened(TicketType.REFUND_ONLY)
        walk(self.tickets, TENANT, ticket_id, "pending_approval", actor=SUPERVISOR)
        self.project(ticket_id)
        return ticket_id

    def refund_processing(self) -> str:
        """The return in transit, a refund granted and pending at the provider (the rig's)."""
        return self.return_in_transit()

    def refund_paid(self) -> str:
        ticket_id = self.return_in_transit()
        walk(self.tickets, TENANT, ticket_id, "return_received", actor=SUPERVISOR)
        self.project(ticket_id)
        self._attempt(ticket_id, RefundStatus.SUCCEEDED)
        return ticket_id

    def refund_failed(self) -> str:
        ticket_id = self.return_in_transit()
        self._attempt(ticket_id, RefundStatus.FAILED)
        return ticket_id

    def exchange_awaiting_return(self) -> str:
        ticket_id = self.opened(TicketType.EXCHANGE)
        walk(self.tickets, TENANT, ticket_id, "pending_approval", "approved", "awaiting_return", actor=SUPERVISOR)
        self.project(ticket_id)
        return ticket_id

    def exchange_reshipped(self) -> str:
        ticket_id = self.opened(TicketType.EXCHANGE)
        walk(self.tickets, TENANT, ticket_id, "pending_approval", "approved", "awaiting_return",
             actor=SUPERVISOR)
        walk(self.tickets, TENANT, ticket_id, "return_in_transit", actor=CUSTOMER)
        walk(self.tickets, TENANT, ticket_id, "return_received", "inspecting", "reshipping", actor=SUPERVISOR)
        self.tickets.transition(TENANT, ticket_id, Status.RESHIPPED, MERCHANT,
                                data={"carrier": "YTO", "tracking_number": RESHIP_TRACKING})
        self.project(ticket_id)
        self._outbound_parcel(ticket_id)
        return ticket_id

    # ------------------------------------------------------------------ records
    def _attempt(self, ticket_id: str, status: RefundStatus) -> None:
        attempt = RefundAttempt(grant_id="grt-1", attempt_number=1, idempotency_key="grt-1-1", status=status,
                                raw_status=status.value, provider_refund_id="re_1")
        self.refunds.save_attempt(TENANT, ticket_id, attempt, None)

    def _outbound_parcel(self, ticket_id: str) -> None:
        start = self.clock.now()
        point = Checkpoint(at=start + timedelta(hours=5), message="快件已发往杭州", place=Place(city="上海"))
        registration = Registration(direction="outbound", order_id="O-1", ticket_id=ticket_id, carrier="YTO",
                                    registered_at=start)
        state = ParcelState.new(RESHIP_TRACKING).model_copy(update={
            "status": TrackingStatus.IN_TRANSIT, "progress": TrackingStatus.IN_TRANSIT, "status_at": point.at})
        self.parcels.record(Parcel(tenant_id=TENANT, state=state, registration=registration), TrackingEvent(
            provider=Provider.AFTERSHIP, provider_event_id=f"evt-{ticket_id}", tracking_number=RESHIP_TRACKING,
            carrier="yto", status=TrackingStatus.IN_TRANSIT, checkpoints=(point,), occurred_at=point.at), start)




class NotifiedContacts:
    """The notifications outbox's view of the channels table (contacts + dedupe markers) over the
    channels fakes a test composed its intake from."""

    def __init__(self, directory: FakeCustomerDirectory, markers: FakeDedupeMarkers) -> None:
        self.directory, self.markers = directory, markers

    def __len__(self) -> int:
        return len(self.markers.seen)

    def __contains__(self, key: object) -> bool:
        return key in self.markers.seen

    def contacts(self, tenant_id: str, customer_id: str) -> dict[str, dict[str, Any]]:
        return self.directory.contacts(tenant_id, customer_id)

    def first_seen(self, tenant_id: str, source: str, external_id: str, ttl_days: int = 30) -> bool:
        return self.markers.first_seen(tenant_id, source, external_id, ttl_days)

    def forget(self, tenant_id: str, source: str, external_id: str) -> None:
        self.markers.forget(tenant_id, source, external_id)
