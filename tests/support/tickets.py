"""Ticket test helpers: an order payload, and tickets moved through their lifecycle as the owning
use cases would (with the warrants they record)."""

from __future__ import annotations

from datetime import datetime, timedelta


def order_payload(order_id: str = "O-1", customer: str = "cust-1", version: int = 1, quantity: int = 2,
                  currency: str = "CNY", *, unit_price: int = 9500, tier: str = "vip",
                  delivered_at: datetime | None = None) -> dict:
    """A one-line order (`quantity` mugs at `unit_price` minor units, 10.00 shipping, all captured);
    with `delivered_at`, placed four days and shipped two days before its delivery."""
    order = {"order_id": order_id, "version": version, "channel": "app", "currency": currency,
             "customer": {"id": customer, "tier": tier},
             "payment": {"provider": "sandbox", "reference": f"ch_{order_id}",
                         "captured": {"amount": unit_price * quantity + 1000, "currency": currency}},
             "shipping": {"country": "CN", "fee": {"amount": 1000, "currency": currency}},
             "lines": [{"line_id": "L1", "sku": "MUG", "name": "Mug", "quantity": quantity,
                        "unit_price_paid": {"amount": unit_price, "currency": currency}}],
             "placed_at": "2026-11-18T10:00:00+08:00"}
    if delivered_at is not None:
        order["placed_at"] = (delivered_at - timedelta(days=4)).isoformat()
        order["fulfilment"] = {"status": "delivered", "shipped_at": (delivered_at - timedelta(days=2)).isoformat(),
                               "delivered_at": delivered_at.isoformat()}
    return order


def approve_as_reviewer(tickets, tenant_id: str, ticket_id: str, reviewer_id: str = "sup-1"):
    """A pending approval approved by one recorded single review (a supervisor who did not ask for
    it), applied through TicketService with the review's warrant as the approval use case does."""
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role, Status
    from aftersales.tickets.warrants import ApprovalRecord, ReviewerDecision

    reviewer = Actor(id=reviewer_id, roles=frozenset({Role.SUPERVISOR}))
    ticket = tickets.get(tenant_id, ticket_id, reviewer)
    record = ApprovalRecord(outcome="approved", route="single_review", requester_id=ticket.requested_by or "",
                            decisions=(ReviewerDecision(approver_id=reviewer_id, role="supervisor",
                                                        verdict="approve"),))
    return tickets.transition(tenant_id, ticket_id, Status.APPROVED, reviewer, reason="reviewed", warrant=record)


def walk(tickets, tenant_id: str, ticket_id: str, *targets: str, actor=None, reason: str | None = None):
    """Move a ticket through `targets` as its owning use cases would: an approval or rejection
    with a recorded single review by `actor` (never the requester), an inspection that accepted
    every line (nothing for a rejection), and the automation's warrants for fulfilment and refund
    settlement (as SYSTEM). Returns the last ticket."""
    from aftersales.tickets import transitions, warrants
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Acceptance, Role, Status

    system = Actor(id="test-system", roles=frozenset({Role.SYSTEM}))
    actor = actor or Actor(id="sup-1", roles=frozenset({Role.SUPERVISOR}))
    ticket = None
    for name in targets:
        target = Status(name)
        current = tickets.get(tenant_id, ticket_id, system)
        rule = transitions.find(current.type, current.status, target)
        owner = rule.owner if rule is not None else None
        who, warrant, lines = actor, None, None
        if owner is transitions.Owner.APPROVAL:
            reviewer = actor if Role.SYSTEM not in actor.roles else Actor(id="sup-1",
                                                                          roles=frozenset({Role.SUPERVISOR}))
            verdict = "approve" if target == Status.APPROVED else "reject"
            warrant = warrants.ApprovalRecord(
                outcome="approved" if verdict == "approve" else "rejected", route="single_review",
                requester_id=current.requested_by or "", decisions=(warrants.ReviewerDecision(
                    approver_id=reviewer.id, role=reviewer.primary_role.value, verdict=verdict),))
            who = reviewer
        elif owner is transitions.Owner.INSPECTION:
            accepted = target != Status.REJECTED
            warrant, lines = warrants.InspectionRecord(), (lambda t, ok=accepted: [ln.model_copy(update={
                "acceptance": Acceptance.ACCEPTED if ok else Acceptance.REJECTED,
                "quantity_received": ln.quantity_requested,
                "quantity_accepted": ln.quantity_requested if ok else 0}) for ln in t.lines])
        elif owner is transitions.Owner.FULFILMENT:
            warrant, who = warrants.FulfilmentStep(), system
        elif owner is transitions.Owner.REFUND_SETTLEMENT:
            warrant, who = warrants.RefundSettlement(grant_id="test", provider_refund_id="test"), system
        elif owner is transitions.Owner.REFUND_DECISION:
            warrant = warrants.RefundDecision()
        ticket = tickets.transition(tenant_id, ticket_id, target, who, reason=reason, warrant=warrant, lines=lines)
    return ticket
