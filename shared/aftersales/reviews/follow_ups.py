"""A published review reaches after-sales. One that mentions a defect joins the open return,
exchange, repair or refund of its order line; otherwise a negative one joins the open `complaint`
of the line (reason `negative_review`), or one is opened, as SYSTEM through the tickets service.
The review id goes on the ticket's audit chain (`ticket.review_linked`, data review_id, line_id,
rating), which is also how a closed ticket finds the reviews to invite an update of."""

from __future__ import annotations

from aftersales.core.errors import InvalidRequest
from aftersales.core.i18n import negotiate
from aftersales.tickets.domain import Actor, LineRequest, OpenTicket, Ticket
from aftersales.tickets.model import Channel, Role, TicketType

from . import domain
from .model import Review
from .ports import Orders, Tickets

REASON = "negative_review"
LINKED = "ticket.review_linked"
SYSTEM = Actor(id="review-follow-up", roles=frozenset({Role.SYSTEM}))
DEFECT_TICKETS = frozenset({TicketType.RETURN_REFUND, TicketType.EXCHANGE, TicketType.REPAIR,
                            TicketType.REFUND_ONLY})


def _follows(ticket: Ticket, review: Review) -> bool:
    return (ticket.type is TicketType.COMPLAINT and not ticket.is_terminal and ticket.reason_code == REASON
            and (not ticket.lines or any(line.line_id == review.line_id for line in ticket.lines)))


def _handles_defect(ticket: Ticket, review: Review) -> bool:
    return (ticket.type in DEFECT_TICKETS and not ticket.is_terminal
            and any(line.line_id == review.line_id for line in ticket.lines))


class TicketFollowUps:
    def __init__(self, tickets: Tickets, orders: Orders) -> None:
        self._tickets = tickets
        self._orders = orders

    def open_follow_up(self, review: Review) -> str | None:
        tickets = self._tickets_of(review)
        ticket = next((t for t in tickets if _handles_defect(t, review)), None) if domain.mentions_defect(
            review) else None
        if ticket is None and domain.is_negative(review):
            ticket = next((t for t in tickets if _follows(t, review)), None) or self._open(review)
        if ticket is None:
            return None  # a defect named in a good review, and no open request about it: nothing to join
        linked = any(entry.event == LINKED and entry.data.get("review_id") == review.review_id
                     for entry in self._tickets.audit(review.tenant_id, ticket.id, SYSTEM))
        if not linked:  # a redelivered message links the review once
            data = {"review_id": review.review_id, "line_id": review.line_id, "rating": review.content.rating}
            self._tickets.note(review.tenant_id, ticket.id, LINKED, SYSTEM, reason=REASON, data=data)
        return ticket.id

    def linked_reviews(self, tenant_id: str, ticket_id: str) -> list[str]:
        return list(dict.fromkeys(str(entry.data["review_id"])
                                  for entry in self._tickets.audit(tenant_id, ticket_id, SYSTEM)
                                  if entry.event == LINKED and entry.data.get("review_id")))

    def _tickets_of(self, review: Review) -> list[Ticket]:
        stored = self._orders.get_order(review.tenant_id, review.order_id)
        return [self._tickets.get(review.tenant_id, ticket_id, SYSTEM)
                for ticket_id in sorted(stored.ticket_ids)] if stored else []

    def _open(self, review: Review) -> Ticket:
        opening = OpenTicket(type=TicketType.COMPLAINT, order_id=review.order_id, customer_id=review.customer_id,
                             channel=Channel.API, reason_code=REASON, locale=negotiate(review.content.locale),
                             lines=[LineRequest(line_id=review.line_id, quantity=1, reason_code=REASON)])
        try:
            return self._tickets.open(review.tenant_id, opening, SYSTEM)
        except InvalidRequest:  # every unit of the line is held by other tickets: a complaint about the order
            return self._tickets.open(review.tenant_id, opening.model_copy(update={"lines": []}), SYSTEM)
