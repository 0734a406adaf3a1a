"""Ticket vocabulary: types, statuses, roles and the per-line axes."""

from __future__ import annotations

from enum import StrEnum


class TicketType(StrEnum):
    RETURN_REFUND = "return_refund"
    EXCHANGE = "exchange"
    REPAIR = "repair"
    REFUND_ONLY = "refund_only"
    SHIPPING_FEE_REFUND = "shipping_fee_refund"
    COMPLAINT = "complaint"


class Status(StrEnum):
    SUBMITTED = "submitted"
    PENDING_APPROVAL = "pending_approval"
    WAITING_CUSTOMER = "waiting_customer"
    APPROVED = "approved"
    REJECTED = "rejected"
    AWAITING_RETURN = "awaiting_return"
    RETURN_IN_TRANSIT = "return_in_transit"
    RETURN_RECEIVED = "return_received"
    INSPECTING = "inspecting"
    REFUND_PENDING = "refund_pending"
    REFUNDED = "refunded"
    RESHIPPING = "reshipping"
    RESHIPPED = "reshipped"
    REPAIR_DISPATCHED = "repair_dispatched"
    REPAIR_IN_PROGRESS = "repair_in_progress"
    REPAIRED = "repaired"
    UNREPAIRABLE = "unrepairable"
    RETURNED_TO_CUSTOMER = "returned_to_customer"
    INVESTIGATING = "investigating"
    RESOLVED = "resolved"
    CLOSED = "closed"
    CANCELLED = "cancelled"


TERMINAL_STATUSES = frozenset({Status.CLOSED, Status.CANCELLED})


class Role(StrEnum):
    """Who acts. Staff roles come from staff tokens; the rest from the principal kind."""

    CUSTOMER = "customer"
    STOREFRONT = "storefront"  # the merchant's server, holding a tenant API key
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    FINANCE = "finance"
    ARBITRATOR = "arbitrator"
    ADMIN = "admin"
    SYSTEM = "system"  # platform automation: SLA timers, carrier webhooks, workflows


STAFF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.FINANCE, Role.ARBITRATOR, Role.ADMIN})


class Reception(StrEnum):
    AWAITING = "awaiting"
    IN_TRANSIT = "in_transit"
    RECEIVED = "received"
    LOST_IN_TRANSIT = "lost_in_transit"
    SHORT_SHIPPED = "short_shipped"
    WRONG_ITEM = "wrong_item"
    KEPT_BY_CUSTOMER = "kept_by_customer"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class Acceptance(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MANUAL_INTERVENTION = "manual_intervention"


class Channel(StrEnum):
    APP = "app"
    MINI_PROGRAM = "mini_program"
    DOUYIN = "douyin"
    WECOM = "wecom"
    PHONE = "phone"
    EMAIL = "email"
    WEB = "web"  # overseas independent storefronts
    API = "api"


# Types whose request is about specific order lines (and so must name them).
LINE_TYPES = frozenset({TicketType.RETURN_REFUND, TicketType.EXCHANGE, TicketType.REPAIR,
                        TicketType.REFUND_ONLY})
