"""A review's follow-up on the tickets service (in-memory store): a complaint ticket of the order
line is opened once, later negative reviews of the line join it, the review id is on the ticket's
audit chain; a closed complaint is not joined; a review naming a defect joins the line's open
return instead."""

from __future__ import annotations

from datetime import UTC, datetime

from aftersales.core.clock import FixedClock
from aftersales.reviews.follow_ups import LINKED, REASON, TicketFollowUps
from aftersales.reviews.model import Content, Moderation, Review, ReviewStatus
from aftersales.tickets.domain import LineRequest, OpenTicket
from aftersales.tickets.model import Channel, Role, Status, TicketType
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


def _defect(review: Review, rating: int = 4) -> Review:
    sentiment = {"polarity": "positive", "confidence": 0.7, "causes": [{"code": "quality", "evidence": ["坏了"]}]}
    moderation = Moderation(status=ReviewStatus.PUBLISHED, reasons=[], scores={}, model_version="m",
                            content_version=1, at=NOW, sentiment=sentiment)
    content = review.content.model_copy(update={"rating": rating})
    return review.model_copy(update={"content": content, "moderation": moderation})


def _return(tickets: TicketService, line_id: str = "L1") -> str:
    opening = OpenTicket(type=TicketType.RETURN_REFUND, order_id="O-1", customer_id="cust-1", channel=Channel.APP,
                         reason_code="defective", lines=[LineRequest(line_id=line_id, quantity=1,
                                                                     reason_code="defective")])
    return tickets.open("acme", opening, actor(Role.CUSTOMER, id="cust-1", customer_id="cust-1")).id


def test_a_review_naming_a_defect_joins_the_open_return_of_its_line():
    store, tickets, follow_ups = _rig()
    return_id = _return(tickets)
    assert follow_ups.open_follow_up(_defect(_review("rev_1"))) == return_id and len(store) == 1
    assert follow_ups.linked_reviews("acme", return_id) == ["rev_1"]
    # a one-star review naming the defect joins the return too, rather than opening a complaint
    assert follow_ups.open_follow_up(_defect(_review("rev_2"), rating=1)) == return_id and len(store) == 1
    assert follow_ups.linked_reviews("acme", return_id) == ["rev_1", "rev_2"]


def test_a_good_review_naming_a_defect_joins_nothing_without_an_open_request():
    store, tickets, follow_ups = _rig()
    _return(tickets, line_id="L2")  # a return of another line
    assert follow_ups.open_follow_up(_defect(_review("rev_1"))) is None and len(store) == 1


def test_a_negative_review_without_a_defect_still_opens_a_complaint_beside_a_return():
    _store, tickets, follow_ups = _rig()
    return_id = _return(tickets)
    complaint = follow_ups.open_follow_up(_review("rev_1"))
    assert complaint != return_id and tickets.get("acme", complaint, AGENT).type is TicketType.COMPLAINT
    assert follow_ups.linked_reviews("acme", complaint) == ["rev_1"]
