"""A disputed return for the evidence pack's tests and bench: a return-and-refund ticket whose
return travelled (a parcel with checkpoints), failed inspection (the warehouse's photos) and is
disputed by the customer with their own photos; a conversation in Chinese and English; a refund
granted earlier on another ticket of the customer is not part of it. Everything runs on the real
tickets and disputes services over the in-memory fakes of their ports."""

from __future__ import annotations

import io
import random
from datetime import UTC, datetime, timedelta

from aftersales.adapters.eventbridge import RecordingPublisher
from aftersales.channels.ports import ConversationItem
from aftersales.core.clock import FixedClock, iso
from aftersales.core.money import Money
from aftersales.disputes.pack_model import PolicyText
from aftersales.disputes.pack_ports import PlatformEvidence, SummaryRenderer
from aftersales.disputes.pack_service import EvidencePackService
from aftersales.disputes.service import DisputeService
from aftersales.logistics.events import Checkpoint, Place, Provider, TrackingEvent, TrackingStatus
from aftersales.logistics.ports import Parcel, Registration
from aftersales.logistics.progression import ParcelState
from aftersales.refunds.grants import RefundAttempt, RefundGrant, RefundStatus
from aftersales.refunds.refundable import QuotedLine, RefundDestination
from aftersales.tickets import warrants
from aftersales.tickets.domain import OpenTicket
from aftersales.tickets.model import Acceptance, Channel, Role, Status, TicketType
from aftersales.tickets.service import TicketService
from tests.support.channels_fakes import FakeConversationStore
from tests.support.fakes.disputes import CheckedEvidence, InMemoryDisputeStore
from tests.support.fakes.evidence_pack import KeptPolicies, RecordingPlatform, StoredMedia
from tests.support.fakes.logistics import InMemoryParcelStore
from tests.support.fakes.money import InMemoryPaymentLedgerStore, InMemoryRefundStore
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import CUSTOMER, actor, order
from tests.support.tickets import walk

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)
TENANT = "acme"
SUPERVISOR = actor(Role.SUPERVISOR, id="sup-1")
INSPECTOR = actor(Role.SUPERVISOR, id="wh-1")
ARBITRATOR = actor(Role.ARBITRATOR, id="arb-1")
CLAIM = "杯子有裂缝，照片为证。The mug arrived cracked; the box was dented."
POLICY = PolicyText(name="Acme returns policy 售后政策", version="2026-11",
                    text="Items damaged in transit are refunded in full.\n\n运输途中损坏的商品全额退款。")


def photo(seed: int, size: tuple[int, int] = (32, 24)) -> bytes:
    """A small JPEG of seeded noise (the same seed, the same bytes)."""
    from PIL import Image

    rng = random.Random(seed)
    image = Image.frombytes("RGB", size, rng.randbytes(size[0] * size[1] * 3))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


class PackRig:
    def __init__(self, renderer: SummaryRenderer, *, locale: str = "zh-Hans",
                 platform: PlatformEvidence | None = None) -> None:
        self.clock = FixedClock(NOW)
        self.ticket_store = InMemoryTicketStore()
        self.evidence = CheckedEvidence()
        self.tickets = TicketService(self.ticket_store, self.clock, evidence=self.evidence)
        self.store = InMemoryDisputeStore()
        self.disputes = DisputeService(self.store, self.tickets, self.evidence, RecordingPublisher(), self.clock)
        self.conversations = FakeConversationStore()
        self.parcels = InMemoryParcelStore()
        self.refunds = InMemoryRefundStore(InMemoryPaymentLedgerStore())
        self.media = StoredMedia()
        self.policies = KeptPolicies()
        self.platform = RecordingPlatform()  # the recording fake, unless a real adapter is given
        self.locale = locale
        self.renderer = renderer
        self.packs = EvidencePackService(self.disputes, self.tickets, self.conversations, self.parcels,
                                         self.refunds, self.media, self.policies, renderer, self.clock,
                                         platforms={"stripe": platform or self.platform})
        self.tickets.upsert_order(TENANT, order())

    def disputed_return(self, *, messages: int = 6, checkpoints: int = 4, photos: int = 4,
                        photo_size: tuple[int, int] = (32, 24), tracking_number: str = "SF1234567890") -> str:
        """A rejected return (inspection failed), disputed by the customer; returns the dispute id.
        Half the photos (rounded up) are the customer's, the rest the inspection's."""
        customer_photos = [f"med-c{n}" for n in range((photos + 1) // 2)]
        inspection_photos = [f"med-i{n}" for n in range(photos // 2)]
        for n, media_id in enumerate(customer_photos + inspection_photos):
            self.media.put(TENANT, media_id, photo(n, photo_size))
        for media_id in customer_photos:
            self.evidence.ready.add(("cust-1", media_id))
        ticket = self.tickets.open(TENANT, OpenTicket(
            type=TicketType.RETURN_REFUND, order_id="O-1", channel=Channel.APP, reason_code="quality",
            description="到货破损 arrived broken", locale=self.locale, lines=[{"line_id": "L1", "quantity": 1}],
            media_ids=customer_photos[:1]), CUSTOMER)
        walk(self.tickets, TENANT, ticket.id, "pending_approval", "approved", "awaiting_return", actor=SUPERVISOR)
        self.tickets.transition(TENANT, ticket.id, Status.RETURN_IN_TRANSIT, CUSTOMER,
                                data={"carrier": "SF Express", "tracking_number": tracking_number})
        self._parcel(ticket.id, tracking_number, checkpoints)
        walk(self.tickets, TENANT, ticket.id, "return_received", "inspecting", actor=INSPECTOR)
        self.tickets.transition(
            TENANT, ticket.id, Status.REJECTED, INSPECTOR, reason="customer_damage",
            data={"media_ids": inspection_photos}, warrant=warrants.InspectionRecord(),
            lines=lambda t: [ln.model_copy(update={"acceptance": Acceptance.REJECTED,
                                                   "quantity_received": ln.quantity_requested,
                                                   "quantity_accepted": 0}) for ln in t.lines])
        for n in range(messages):
            self.clock.advance(minutes=7)
            inbound = n % 2 == 0
            self.conversations.add(TENANT, ConversationItem(
                message_id=f"msg-{n:03d}", ticket_id=ticket.id, at=iso(self.clock.now()), channel="wecom",
                direction="inbound" if inbound else "outbound", author="cust-1" if inbound else "agent-1",
                body=(f"第{n}条：杯子到货时已经碎了。" if inbound else f"Reply {n}: we are checking the photos.")))
        self._refund(ticket.id)
        self.policies.policies[TENANT] = POLICY
        self.clock.advance(hours=1)
        dispute = self.disputes.raise_dispute(TENANT, ticket.id, CUSTOMER, text=CLAIM,
                                              media_ids=customer_photos[1:])
        self.disputes.take_up(TENANT, dispute.id, ARBITRATOR)
        self.clock.advance(minutes=5)
        return dispute.id

    def _parcel(self, ticket_id: str, tracking_number: str, checkpoints: int) -> None:
        start = self.clock.now()
        points = tuple(Checkpoint(at=start + timedelta(hours=3 * n), message=f"快件已到达 Shenzhen hub {n}",
                                  place=Place(city="深圳", country="CN"), raw_status="in_transit")
                       for n in range(checkpoints))
        registration = Registration(direction="return", order_id="O-1", ticket_id=ticket_id, carrier="sf-express",
                                    registered_at=start)
        state = ParcelState.new(tracking_number).model_copy(update={
            "status": TrackingStatus.DELIVERED, "progress": TrackingStatus.DELIVERED,
            "status_at": points[-1].at if points else start})
        self.parcels.record(Parcel(tenant_id=TENANT, state=state, registration=registration), TrackingEvent(
            provider=Provider.AFTERSHIP, provider_event_id="evt-1", tracking_number=tracking_number,
            carrier="sf-express", status=TrackingStatus.DELIVERED, checkpoints=points,
            occurred_at=points[-1].at if points else start), start)

    def _refund(self, ticket_id: str) -> None:
        """The shipping fee was refunded as a goodwill gesture (a grant of 10.00 CNY, settled)."""
        amount = Money(amount=1000, currency="CNY")
        zero = Money.zero("CNY")
        self.refunds.ledger.open(TENANT, "ch_1", Money(amount=29000, currency="CNY"))
        grant = RefundGrant(grant_id="grt-1", tenant_id=TENANT, ticket_id=ticket_id, payment_ref="ch_1",
                            destination=RefundDestination.ORIGINAL_PAYMENT, amount=amount,
                            lines=(QuotedLine(line_id="L1", quantity=1, amount=amount),), return_shipping=zero,
                            restocking_fee=zero, granted_at=self.clock.now())
        self.refunds.create_grant(grant, Money(amount=29000, currency="CNY"))
        self.refunds.add_attempt(TENANT, ticket_id, RefundAttempt(
            grant_id="grt-1", attempt_number=1, idempotency_key="grt-1-1", status=RefundStatus.SUCCEEDED,
            raw_status="succeeded", provider_refund_id="re_3MtwBwLkdIwHu7ix28a3tqPa"))
