"""The demo tenant seeded by `make run`: one API key per scope, one staff user per role, a few orders
and tickets in different states. Uses the real services against the embedded AWS."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aftersales.auth.credentials import ApiKeyScope
from aftersales.tickets.domain import Actor, LineRequest, OpenTicket
from aftersales.tickets.model import Role, Status, TicketType
from aftersales.wiring import services

TENANT = "demo"
STAFF = [("agent-li", "Li Na", Role.AGENT), ("sup-wang", "Wang Wei", Role.SUPERVISOR),
         ("fin-zhao", "Zhao Min", Role.FINANCE), ("arb-chen", "Chen Jie", Role.ARBITRATOR),
         ("admin-sun", "Sun Yu", Role.ADMIN)]


def _money(amount: int, currency: str) -> dict[str, Any]:
    return {"amount": amount, "currency": currency}


def _orders(now_iso: str) -> list[dict[str, Any]]:
    return [
        {"order_id": "SO-1001", "version": 1, "channel": "mini_program", "currency": "CNY",
         "customer": {"id": "cust-1001", "tier": "vip"},
         "payment": {"provider": "sandbox", "reference": "ch_demo_1001", "captured": _money(59800, "CNY")},
         "shipping": {"country": "CN", "fee": _money(1200, "CNY")},
         "lines": [{"line_id": "1", "sku": "KETTLE-01", "name": "电热水壶", "category": "appliances",
                    "product_type": "physical", "quantity": 1, "unit_price_paid": _money(29900, "CNY")},
                   {"line_id": "2", "sku": "MUG-02", "name": "陶瓷杯", "category": "kitchen",
                    "product_type": "physical", "quantity": 2, "unit_price_paid": _money(14350, "CNY")}],
         "placed_at": now_iso},
        {"order_id": "WEB-2001", "version": 1, "channel": "web", "currency": "USD",
         "customer": {"id": "cust-2001", "tier": "standard"},
         "payment": {"provider": "stripe", "reference": "pi_demo_2001", "captured": _money(12900, "USD")},
         "shipping": {"country": "US", "fee": _money(900, "USD")},
         "lines": [{"line_id": "1", "sku": "HEADSET-9", "name": "Wireless headset", "category": "electronics",
                    "product_type": "physical", "quantity": 1, "unit_price_paid": _money(12000, "USD")}],
         "placed_at": now_iso},
    ]


def _verify_sender() -> None:
    """On AWS the notifications sender is an SES identity verified once by an operator (template
    parameter NotificationsSender); the embedded SES rejects unverified senders, so do it here."""
    import os

    import boto3

    sender = os.environ.get("NOTIFICATIONS_SENDER")
    if sender:
        boto3.client("ses").verify_email_identity(EmailAddress=sender)


def seed(stack: Any = None) -> dict[str, str]:
    from aftersales.core.clock import iso
    from aftersales.orders.domain import Order

    svc = services()
    _verify_sender()
    svc.tenants.create_tenant(TENANT, "Demo Store", default_locale="zh-Hans")
    keys = {scope: svc.tenants.issue_api_key(TENANT, f"demo {scope.value}", [scope]).api_key for scope in ApiKeyScope}
    for user_id, name, role in STAFF:
        svc.tenants.put_staff(TENANT, user_id, name, frozenset({role}))
    storefront = Actor(id="demo-seed", roles=frozenset({Role.STOREFRONT}), request_id="seed")
    for order in _orders(iso(svc.clock.now())):
        svc.tickets.upsert_order(TENANT, Order.model_validate(order))
    ret = svc.tickets.open(TENANT, OpenTicket(type=TicketType.RETURN_REFUND, order_id="SO-1001",
                                              channel="mini_program", reason_code="quality",
                                              description="壶底漏水", lines=[LineRequest(line_id="1", quantity=1)],
                                              locale="zh-Hans"), storefront)
    svc.tickets.transition(TENANT, ret.id, Status.PENDING_APPROVAL, storefront, reason="auto-submitted")
    svc.tickets.open(TENANT, OpenTicket(type=TicketType.EXCHANGE, order_id="WEB-2001", channel="web",
                                        reason_code="wrong_size", lines=[LineRequest(line_id="1", quantity=1)]),
                     storefront)
    svc.tickets.open(TENANT, OpenTicket(type=TicketType.COMPLAINT, order_id="SO-1001", channel="phone",
                                        reason_code="late_delivery", description="Courier was three days late"),
                     storefront)
    # The storefront key comes first: it is the one to try the API with (and the one tests pick).
    lines = {"tenant": TENANT, "storefront API key (X-Api-Key)": keys[ApiKeyScope.STOREFRONT],
             "customer token cust-1001 (Authorization: Bearer)":
                 svc.tenants.mint_customer_token(TENANT, "cust-1001", timedelta(hours=1))}
    for user_id, _name, role in STAFF:
        lines[f"{role.value} token {user_id}"] = svc.tenants.mint_staff_token(TENANT, user_id, timedelta(hours=12))
    lines["staff_token_issuer API key (X-Api-Key; POST /auth/staff-tokens only)"] = keys[ApiKeyScope.STAFF_TOKEN_ISSUER]
    lines["admin API key (X-Api-Key; staff users and API keys only)"] = keys[ApiKeyScope.ADMIN]
    return lines
