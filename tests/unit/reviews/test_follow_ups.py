"""A negative review's follow-up on the tickets service (in-memory store): a complaint ticket of
the order line is opened once, later negative reviews of the line join it, the review id is on the
ticket's audit chain; a closed complaint is not joined."""

from __future__ import annotations

from datetime import UTC, datetime

from aftersales.core.clock import FixedClock
from aftersales.reviews.follow_ups import LINKED, REASON, TicketFollowUps
from aftersales.reviews.model import Content, Review, ReviewStatus
from aftersales.tickets.model import Role, Status, TicketType
from aftersales.tickets.service import TicketService
from tests.support.fakes.tickets import InMemoryTicketStore
from tests.support.ticket_factories import actor, order

NOW = datetime(2026, 12, 2, 8, tzinfo=UTC)
AGENT = actor(Role.AGENT, id="agent-1")


def _review(review_id: str, line_id: str = "L1") -> Review:
    content = Content(version=1, rating=1, text="坏了", locale="zh-Hans", at=NOW)
    return Review(tenant_id="acme", review_id=review_id, order_id="O-1", line_id=line_id, sku="MUG",
                  customer_id="cust-1", verified_buyer=True, delivered=True, status=ReviewStatus.PUBLISHED,
                  content=content, created_at=NOW, updated_at=NOW)


def _rig() -> tuple[InMemoryTicketStore, TicketService, TicketFollowUps]:
    store = InMemoryTicketStore()
    tickets = TicketService(store, FixedClock(NOW))
    tickets.upsert_order("acme", order())
    return store, tickets, TicketFollowUps(tickets, store)


def test_a_complaint_is_opened_for_the_line_and_later_reviews_join_it():
    store, tickets, follow_ups = _rig()
    first = follow_ups.open_follow_up(_review("rev_1"))
    assert follow_ups.open_follow_up(_review("rev_2")) == first and len(store) == 1
    ticket = tickets.get("acme", first, AGENT)
    assert ticket.type is TicketType.COMPLAINT and ticket.reason_code == REASON
    assert [line.line_id for line in ticket.lines] == ["L1"]
    linked = [e.data["review_id"] for e in tickets.audit("acme", first, AGENT) if e.event == LINKED]
    assert linked == ["rev_1", "rev_2"]
    assert follow_ups.open_follow_up(_review("rev_3", line_id="L2")) != first  # another line, another ticket


def test_a_closed_complaint_is_not_joined():
    store, tickets, follow_ups = _rig()
    first = follow_ups.open_follow_up(_review("rev_1"))
    tickets.transition("acme", first, Status.CANCELLED, actor(Role.SYSTEM, id="system"), reason="done")
    assert follow_ups.open_follow_up(_review("rev_2")) != first and len(store) == 2


def test_the_same_review_is_linked_once_and_the_ticket_speaks_a_supported_language():
    _, tickets, follow_ups = _rig()
    review = _review("rev_1").model_copy(update={"content": Content(version=1, rating=1, text="坏了", locale="zh-CN",
                                                                      at=NOW)})
    first = follow_ups.open_follow_up(review)
    assert follow_ups.open_follow_up(review) == first  # a redelivered message
    assert [e.event for e in tickets.audit("acme", first, AGENT)].count(LINKED) == 1
    assert tickets.get("acme", first, AGENT).locale == "zh-Hans"
