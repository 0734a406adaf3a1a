"""The event catalogue: which domain events tenants can subscribe to, and the payload of each.

A payload is built by one pydantic model per family of events, and the catalogue's JSON Schemas
are generated from those same models. Payloads carry ids, statuses, amounts and times — never
names, addresses, phone numbers or free text (a reason, a comment): the receiver fetches what it
is allowed to see through the API. The envelope is Standard Webhooks' `{type, timestamp, data}`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field, ValidationError

from aftersales.core.clock import iso
from aftersales.core.model import DomainModel
from aftersales.core.money import Money

WEBHOOKS_SOURCE = "aftersales.webhooks"
ENDPOINT_DISABLED = "webhook_endpoint.disabled"
TEST_EVENT = "webhook.test"


class Payload(DomainModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class TicketEvent(Payload):
    """A step in a ticket's life (its audit entry): the status it left and the one it entered."""

    ticket_id: str
    ticket_type: str
    customer_id: str | None = Field(default=None, description="The storefront's customer id (no other customer data)")
    seq: int = Field(description="The entry's position in the ticket's audit chain (deduplicate on ticket_id + seq)")
    from_status: str | None = None
    to_status: str | None = None
    at: datetime
    grant_id: str | None = Field(default=None, description="Refund events: the granted refund")
    amount: Money | None = Field(default=None, description="Refund events: integer minor units and currency")


class RefundEvent(Payload):
    """A refund executed outside the payment provider (store credit, coupon) or its provider state."""

    ticket_id: str
    order_id: str | None = None
    customer_id: str | None = None
    grant_id: str | None = None
    amount: Money | None = None
    destination: str | None = Field(default=None, description="original_payment, store_credit, coupon, ...")


class ReviewEvent(Payload):
    review_id: str
    sku: str | None = None
    ticket_id: str | None = None
    customer_id: str | None = None
    content_version: int | None = None


class DisputeEvent(Payload):
    dispute_id: str
    ticket_id: str | None = None
    customer_id: str | None = None
    source: str | None = Field(default=None, description="customer, or the payment platform that opened the case")
    seq: int
    from_status: str | None = None
    to_status: str | None = None
    at: datetime
    due_at: datetime | None = None


class SurveyEvent(Payload):
    survey_id: str
    ticket_id: str | None = None
    customer_id: str | None = None
    kind: str | None = None
    status: str | None = None
    score: int | None = None


class EndpointDisabledEvent(Payload):
    """Sent to the tenant's other endpoints (and on the bus) when an endpoint was disabled."""

    endpoint_id: str
    reason: str = Field(description="failing: every attempt failed for 5 days")
    failing_since: datetime | None = None
    at: datetime


class TestEvent(Payload):
    endpoint_id: str
    at: datetime
    note: str = "A test event sent from the platform: no action is needed."


@dataclass(frozen=True)
class Family:
    prefix: str  # "ticket."
    source: str  # the bus source its events come from
    model: type[Payload]
    names: tuple[str, ...]  # the published names a tenant can pick one by one


FAMILIES: tuple[Family, ...] = (
    Family("ticket.", "aftersales.tickets", TicketEvent, (
        "ticket.created", "ticket.submitted_for_approval", "ticket.approved", "ticket.rejected",
        "ticket.info_requested", "ticket.info_provided", "ticket.return_authorized", "ticket.return_shipped",
        "ticket.return_received", "ticket.inspection_started", "ticket.inspection_passed",
        "ticket.inspection_failed", "ticket.refund_requested", "ticket.refunded", "ticket.refund_failed",
        "ticket.reshipped", "ticket.repair_dispatched", "ticket.repaired", "ticket.unrepairable",
        "ticket.returned_to_customer", "ticket.assigned", "ticket.resolved", "ticket.closed", "ticket.reopened",
        "ticket.cancelled", "ticket.sla_breached", "ticket.sla_escalated")),
    Family("refund.", "aftersales.refunds", RefundEvent, (
        "refund.created", "refund.updated", "refund.failed", "refund.store_credit_issued", "refund.coupon_issued")),
    Family("review.", "aftersales.reviews", ReviewEvent, ("review.submitted", "review.update_invited")),
    Family("dispute.", "aftersales.disputes", DisputeEvent, (
        "dispute.raised", "dispute.review_started", "dispute.evidence_requested", "dispute.evidence_provided",
        "dispute.decided", "dispute.withdrawn", "dispute.platform_updated")),
    Family("survey.", "aftersales.surveys", SurveyEvent, ()),  # the surveys context publishes none yet
    Family("webhook_endpoint.", WEBHOOKS_SOURCE, EndpointDisabledEvent, (ENDPOINT_DISABLED,)),
    Family("webhook.", WEBHOOKS_SOURCE, TestEvent, (TEST_EVENT,)),
)
BUS_SOURCES = tuple(sorted({f.source for f in FAMILIES}))


def family_of(event_type: str) -> Family | None:
    return next((f for f in FAMILIES if event_type.startswith(f.prefix)), None)


def known(name: str) -> bool:
    """A filter a tenant may save: a published name, or a family wildcard such as `ticket.*`."""
    if name.endswith(".*"):
        return any(f.prefix == name[:-1] for f in FAMILIES)
    return any(name in f.names for f in FAMILIES)


def event_types() -> list[dict[str, Any]]:
    """The catalogue: every published name with its family's JSON Schema (of `data`)."""
    out = []
    for family in FAMILIES:
        schema = family.model.model_json_schema(mode="serialization")
        for name in family.names:
            out.append({"name": name, "family": family.prefix + "*",
                        "description": (family.model.__doc__ or "").strip(), "schema": schema})
    return out


@dataclass(frozen=True)
class Built:
    event_type: str
    body: str  # the exact bytes signed and sent


def envelope(event_type: str, data: Payload, at: datetime) -> Built:
    body = {"type": event_type, "timestamp": iso(at), "data": data.model_dump(mode="json", exclude_none=True)}
    return Built(event_type, json.dumps(body, ensure_ascii=False, separators=(",", ":")))


def build(source: str, detail_type: str, detail: Mapping[str, Any], at: datetime) -> Built | None:
    """The webhook of one bus event, or None when it is not in the catalogue (or malformed)."""
    family = family_of(detail_type)
    if family is None or family.source != source:
        return None
    fields = dict(detail)
    data = fields.get("data")
    if family.model is TicketEvent and isinstance(data, Mapping):  # refund steps carry their amount in data
        fields.setdefault("grant_id", data.get("grant_id"))
        fields.setdefault("amount", data.get("amount") if isinstance(data.get("amount"), Mapping) else None)
    try:
        payload = family.model.model_validate(fields)
    except ValidationError:
        return None
    return envelope(detail_type, payload, at)
