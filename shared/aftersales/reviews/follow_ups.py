"""A negative published review reaches after-sales: the open `complaint` ticket of its order line
(reason `negative_review`) is joined, or one is opened, as SYSTEM through the tickets service; the
review id goes on the ticket's audit chain (`ticket.review_linked`, data review_id, line_id, rating)."""

from __future__ import annotations

from aftersales.core.errors import InvalidRequest
from aftersales.core.i18n import negotiate
from aftersales.tickets.domain import Actor, LineRequest, OpenTicket, Ticket
from aftersales.tickets.model import Channel, Role, TicketType

from .model import Review
from .ports import Orders, Tickets

REASON = "negative_review"
LINKED = "ticket.review_linked"
SYSTEM = Actor(id="review-follow-up", roles=frozenset({Role.SYSTEM}))


def _follows(ticket: Ticket, review: Review) -> bool:
    return (ticket.type is TicketType.COMPLAINT and not ticket.is_terminal and ticket.reason_code == REASON
            and (not ticket.lines or any(line.line_id == review.line_id for line in ticket.lines)))


class TicketFollowUps:
    def __init__(self, tickets: Tickets, orders: Orders) -> None:
        self._tickets = tickets
        self._orders = orders

    def open_follow_up(self, review: Review) -> str:
        ticket = self._open_ticket(review) or self._open(review)
        linked = any(entry.event == LINKED and entry.data.get("review_id") == review.review_id
                     for entry in self._tickets.audit(review.tenant_id, ticket.id, SYSTEM))
        if not linked:  # a redelivered message links the review once
            data = {"review_id": review.review_id, "line_id": review.line_id, "rating": review.content.rating}
            self._tickets.note(review.tenant_id, ticket.id, LINKED, SYSTEM, reason=REASON, data=data)
        return ticket.id

    def _open_ticket(self, review: Review) -> Ticket | None:
        stored = self._orders.get_order(review.tenant_id, review.order_id)
        for ticket_id in sorted(stored.ticket_ids) if stored else ():
            ticket = self._tickets.get(review.tenant_id, ticket_id, SYSTEM)
            if _follows(ticket, review):
                return ticket
        return None

    def _open(self, review: Review) -> Ticket:
        opening = OpenTicket(type=TicketType.COMPLAINT, order_id=review.order_id, customer_id=review.customer_id,
                             channel=Channel.API, reason_code=REASON, locale=negotiate(review.content.locale),
                             lines=[LineRequest(line_id=review.line_id, quantity=1, reason_code=REASON)])
        try:
            return self._tickets.open(review.tenant_id, opening, SYSTEM)
        except InvalidRequest:  # every unit of the line is held by other tickets: a complaint about the order
            return self._tickets.open(review.tenant_id, opening.model_copy(update={"lines": []}), SYSTEM)
