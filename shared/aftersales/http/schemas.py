"""Request and response bodies of the public API (also the OpenAPI components)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, StrictInt

from aftersales.core.model import DomainModel
from aftersales.core.money import Money
from aftersales.core.text import Description, Reason, label
from aftersales.orders.domain import Identifier
from aftersales.risk.scoring import RiskSummary
from aftersales.tickets.domain import LineRequest
from aftersales.tickets.model import Acceptance, Channel, Reception, Role, Status, TicketType

ROLE_NAMES = Literal["agent", "supervisor", "finance", "arbitrator", "admin"]


class Strict(DomainModel):
    model_config = ConfigDict(extra="forbid")


class CreateTicketRequest(Strict):
    type: TicketType
    order_id: Identifier
    channel: Channel
    reason_code: label(64, min_length=1) = Field(examples=["damaged", "no_reason_7day"])
    description: Description | None = None
    lines: list[LineRequest] = Field(default_factory=list, max_length=500)
    customer_id: Identifier | None = Field(default=None, description="Required for staff and storefront calls "
                                           "only when it must be checked against the order")
    parent_ticket_id: Identifier | None = None
    media_ids: list[Identifier] = Field(default_factory=list, max_length=20,
                                        description="Evidence: the customer's ready media (POST /media)")


class TransitionRequest(Strict):
    to: Status
    reason: Reason | None = None


class AssignRequest(Strict):
    assignee_id: Identifier
    reason: Reason | None = None


class BatchRequest(Strict):
    action: Literal["assign", "transition", "close"]
    ticket_ids: list[Identifier] = Field(min_length=1, max_length=100)
    to: Status | None = None
    assignee_id: Identifier | None = None
    reason: Reason | None = None


class CustomerTokenRequest(Strict):
    customer_id: Identifier
    ttl_seconds: StrictInt = Field(default=900, ge=60, le=3600)


class StaffTokenRequest(Strict):
    user_id: Identifier
    ttl_seconds: StrictInt = Field(default=8 * 3600, ge=60, le=12 * 3600)


class StaffRequest(Strict):
    display_name: label(128, min_length=1)
    roles: list[ROLE_NAMES] = Field(min_length=1)
    status: Literal["active", "disabled"] = "active"


class TokenResponse(DomainModel):
    token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int


class LineView(DomainModel):
    line_id: str
    sku: str
    quantity_requested: int
    quantity_received: int
    quantity_accepted: int
    quantity_damaged: int
    quantity_written_off: int
    unit_price: Money
    reason_code: str | None
    reception: Reception
    acceptance: Acceptance


class TicketView(DomainModel):
    id: str
    type: TicketType
    type_label: str
    status: Status
    status_label: str
    version: int
    order_id: str
    customer_id: str
    channel: Channel
    reason_code: str
    description: str | None
    requested_amount: Money
    lines: list[LineView]
    assignee_id: str | None
    parent_id: str | None
    child_ids: list[str]
    media_ids: list[str] = Field(default_factory=list, description="Evidence media (GET /media/{id})")
    risk: RiskSummary | None = Field(
        default=None, exclude_if=lambda risk: risk is None,
        description="The refund-abuse assessment approval routing last made (staff only: absent for customers, "
                    "and until the ticket is routed for approval). Band: high from the risk config's "
                    "abuse_threshold (70), medium from its elevated_threshold (15), else low; GET "
                    "/tickets/{id}/risk has the reasons")
    created_at: str
    updated_at: str
    next: list[dict] = Field(description="Transitions allowed from here, and whether the caller may take them")


class TicketPage(DomainModel):
    items: list[TicketView]
    next_cursor: str | None


class BatchItem(DomainModel):
    ticket_id: str
    ok: bool
    status: Status | None = None
    version: int | None = None
    error: dict | None = None


class BatchResponse(DomainModel):
    results: list[BatchItem]
    succeeded: int
    failed: int


__all__ = ["Role"]
