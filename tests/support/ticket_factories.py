"""Builders for pure-domain tests (our own data, not third-party payloads)."""

from __future__ import annotations

from datetime import UTC, datetime

from aftersales.orders.domain import Order
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role

T0 = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def order(**overrides) -> Order:
    data = {
        "order_id": "O-1", "version": 1, "channel": "app", "currency": "CNY",
        "customer": {"id": "cust-1", "tier": "vip"},
        "payment": {"provider": "sandbox", "reference": "ch_1", "captured": {"amount": 29000, "currency": "CNY"}},
        "shipping": {"country": "CN", "fee": {"amount": 1000, "currency": "CNY"}},
        "lines": [
            {"line_id": "L1", "sku": "MUG", "name": "Mug", "quantity": 2,
             "unit_price_paid": {"amount": 9500, "currency": "CNY"}},
            {"line_id": "L2", "sku": "TEA", "name": "Tea", "quantity": 1,
             "unit_price_paid": {"amount": 9000, "currency": "CNY"}},
        ],
        "placed_at": "2026-11-18T10:00:00+08:00",
    }
    data.update(overrides)
    return Order.model_validate(data)


def actor(*roles: Role, id: str = "u-1", customer_id: str | None = None) -> Actor:
    return Actor(id=id, roles=frozenset(roles), customer_id=customer_id, request_id="req-1")


CUSTOMER = actor(Role.CUSTOMER, id="cust-1", customer_id="cust-1")
AGENT = actor(Role.AGENT, id="agent-1")
SUPERVISOR = actor(Role.SUPERVISOR, id="sup-1")
FINANCE = actor(Role.FINANCE, id="fin-1")
STOREFRONT = actor(Role.STOREFRONT, id="apikey:k1")
SYSTEM = actor(Role.SYSTEM, id="system")


def approval_by(*approvers: Actor, requester_id: str = "cust-1", route: str | None = None):
    """A recorded review that approved: one approver -> single review, two -> dual review."""
    from aftersales.tickets.warrants import ApprovalRecord, ReviewerDecision

    return ApprovalRecord(outcome="approved", route=route or ("dual_review" if len(approvers) > 1 else "single_review"),
                          requester_id=requester_id,
                          decisions=tuple(ReviewerDecision(approver_id=a.id, role=a.primary_role.value,
                                                           verdict="approve") for a in approvers))
