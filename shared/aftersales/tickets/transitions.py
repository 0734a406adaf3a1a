"""The declarative transition tables: the single source of states, allowed transitions,
required roles and emitted events for every ticket type.

Everything else (the service, the 409 payload, the Mermaid diagrams, the Hypothesis model and
the docs) is derived from TABLES; nothing hard-codes a status change elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType

from aftersales.tickets.model import TERMINAL_STATUSES, Role, Status, TicketType

R = Role
S = Status

CUSTOMER = frozenset({R.CUSTOMER})
OPS = frozenset({R.AGENT, R.SUPERVISOR, R.ADMIN})
SENIOR = frozenset({R.SUPERVISOR, R.ADMIN})
APPEAL = frozenset({R.ARBITRATOR, R.SUPERVISOR, R.ADMIN})
MERCHANT = OPS | {R.STOREFRONT, R.SYSTEM}  # staff or the merchant's own systems/automation
MONEY = frozenset({R.FINANCE, R.SUPERVISOR, R.ADMIN, R.SYSTEM})
DECIDERS = OPS | {R.SYSTEM}  # approval decisions; the approval workflow acts as system
AUTOMATION = frozenset({R.SYSTEM})


class Owner(StrEnum):
    """The use case that alone may take a transition that commits money or goods (it hands the
    domain a warrant, tickets/warrants.py); the generic transitions endpoint refuses these."""

    APPROVAL = "approval"
    ELIGIBILITY = "eligibility"
    FULFILMENT = "fulfilment"
    INSPECTION = "inspection"
    PLATFORM = "platform"
    REFUND_SETTLEMENT = "refund_settlement"
    REFUND_DECISION = "refund_decision"


# Where a client goes instead (the 409 of the generic endpoint and the workbench's buttons say it).
OWNER_ENDPOINTS: Mapping[Owner, str] = MappingProxyType({
    Owner.APPROVAL: "POST /tickets/{ticket_id}/approval/decisions",
    Owner.ELIGIBILITY: "automatic on submission (GET /tickets/{ticket_id}/eligibility)",
    Owner.FULFILMENT: "automatic after approval (GET /tickets/{ticket_id}/approval)",
    Owner.INSPECTION: "POST /tickets/{ticket_id}/inspection",
    Owner.PLATFORM: "only the sales platform that owns the after-sale (its signed push)",
    Owner.REFUND_SETTLEMENT: "automatic when the provider settles (GET /tickets/{ticket_id}/refund)",
    Owner.REFUND_DECISION: "POST /tickets/{ticket_id}/unrepairable-refund",
})
# Entering these needs the approval stamp that only an approval puts on the ticket.
AFTER_APPROVAL = frozenset({S.REFUND_PENDING, S.RESHIPPING, S.REPAIR_DISPATCHED, S.AWAITING_RETURN})


@dataclass(frozen=True)
class Transition:
    source: Status
    target: Status
    roles: frozenset[Role]
    event: str  # emitted domain event (EventBridge detail-type)
    owner: Owner | None = None


def _t(source: Status, target: Status, roles: frozenset[Role], event: str, owner: Owner | None = None
       ) -> Transition:
    return Transition(source, target, frozenset(roles), event, owner)


# Shared opening: intake, approval, clarification with the customer, cancellation, appeal.
_APPROVAL = (
    _t(S.SUBMITTED, S.PENDING_APPROVAL, MERCHANT, "ticket.submitted_for_approval"),
    _t(S.SUBMITTED, S.CANCELLED, CUSTOMER | MERCHANT, "ticket.cancelled"),
    _t(S.SUBMITTED, S.REJECTED, AUTOMATION, "ticket.rejected", Owner.ELIGIBILITY),  # the intake checks refused it
    _t(S.PENDING_APPROVAL, S.APPROVED, DECIDERS, "ticket.approved", Owner.APPROVAL),
    _t(S.PENDING_APPROVAL, S.REJECTED, DECIDERS, "ticket.rejected", Owner.APPROVAL),
    _t(S.PENDING_APPROVAL, S.WAITING_CUSTOMER, OPS, "ticket.info_requested"),
    _t(S.PENDING_APPROVAL, S.CANCELLED, CUSTOMER | MERCHANT, "ticket.cancelled"),
    _t(S.WAITING_CUSTOMER, S.PENDING_APPROVAL, CUSTOMER | OPS, "ticket.info_provided"),
    _t(S.WAITING_CUSTOMER, S.CANCELLED, CUSTOMER | MERCHANT, "ticket.cancelled"),
    _t(S.REJECTED, S.PENDING_APPROVAL, APPEAL, "ticket.reopened"),
    _t(S.REJECTED, S.CLOSED, CUSTOMER | MERCHANT, "ticket.closed"),
    _t(S.APPROVED, S.REJECTED, AUTOMATION, "ticket.rejected", Owner.PLATFORM),  # the platform refused after all
    # the platform decided while we waited for the customer's answer
    _t(S.WAITING_CUSTOMER, S.APPROVED, AUTOMATION, "ticket.approved", Owner.PLATFORM),
    _t(S.WAITING_CUSTOMER, S.REJECTED, AUTOMATION, "ticket.rejected", Owner.PLATFORM),
)

# Goods come back: authorise, ship, receive, inspect.
_RETURN_LEG = (
    _t(S.APPROVED, S.AWAITING_RETURN, MERCHANT, "ticket.return_authorized"),
    _t(S.AWAITING_RETURN, S.RETURN_IN_TRANSIT, CUSTOMER | MERCHANT, "ticket.return_shipped"),
    _t(S.AWAITING_RETURN, S.CANCELLED, CUSTOMER | MERCHANT, "ticket.cancelled"),
    _t(S.RETURN_IN_TRANSIT, S.RETURN_RECEIVED, MERCHANT, "ticket.return_received"),
    _t(S.RETURN_RECEIVED, S.INSPECTING, MERCHANT, "ticket.inspection_started"),
    _t(S.INSPECTING, S.REJECTED, OPS | {R.SYSTEM}, "ticket.inspection_failed", Owner.INSPECTION),
    # the platform refused the return after agreeing to it (Douyin 204/205 on a return under way)
    _t(S.AWAITING_RETURN, S.REJECTED, AUTOMATION, "ticket.rejected", Owner.PLATFORM),
    _t(S.RETURN_IN_TRANSIT, S.REJECTED, AUTOMATION, "ticket.rejected", Owner.PLATFORM),
    _t(S.RETURN_RECEIVED, S.REJECTED, AUTOMATION, "ticket.rejected", Owner.PLATFORM),
)

_REFUND_LEG = (
    _t(S.REFUND_PENDING, S.REFUNDED, MONEY, "ticket.refunded", Owner.REFUND_SETTLEMENT),
    _t(S.REFUNDED, S.CLOSED, MERCHANT, "ticket.closed"),
    _t(S.REJECTED, S.REFUNDED, AUTOMATION, "ticket.refunded", Owner.PLATFORM),  # the platform refunded after all
)

_TABLES: dict[TicketType, tuple[Transition, ...]] = {
    TicketType.RETURN_REFUND: _APPROVAL + _RETURN_LEG + _REFUND_LEG + (
        _t(S.INSPECTING, S.REFUND_PENDING, OPS | {R.SYSTEM}, "ticket.inspection_passed", Owner.INSPECTION),
    ),
    TicketType.REFUND_ONLY: _APPROVAL + _REFUND_LEG + (
        _t(S.APPROVED, S.REFUND_PENDING, MERCHANT, "ticket.refund_requested", Owner.FULFILMENT),
    ),
    TicketType.SHIPPING_FEE_REFUND: _APPROVAL + _REFUND_LEG + (
        _t(S.APPROVED, S.REFUND_PENDING, MERCHANT, "ticket.refund_requested", Owner.FULFILMENT),
    ),
    TicketType.EXCHANGE: _APPROVAL + _RETURN_LEG + (
        _t(S.INSPECTING, S.RESHIPPING, OPS | {R.SYSTEM}, "ticket.inspection_passed", Owner.INSPECTION),
        _t(S.RESHIPPING, S.RESHIPPED, MERCHANT, "ticket.reshipped"),
        _t(S.RESHIPPED, S.CLOSED, MERCHANT, "ticket.closed"),
    ),
    TicketType.REPAIR: _APPROVAL + (
        _t(S.APPROVED, S.REPAIR_DISPATCHED, MERCHANT, "ticket.repair_dispatched", Owner.FULFILMENT),
        _t(S.REPAIR_DISPATCHED, S.REPAIR_IN_PROGRESS, MERCHANT, "ticket.repair_received_by_provider"),
        _t(S.REPAIR_IN_PROGRESS, S.REPAIRED, MERCHANT, "ticket.repaired"),
        _t(S.REPAIR_IN_PROGRESS, S.UNREPAIRABLE, MERCHANT, "ticket.unrepairable"),
        _t(S.REPAIRED, S.RETURNED_TO_CUSTOMER, MERCHANT, "ticket.returned_to_customer"),
        _t(S.UNREPAIRABLE, S.RETURNED_TO_CUSTOMER, MERCHANT, "ticket.returned_to_customer"),
        _t(S.UNREPAIRABLE, S.REFUND_PENDING, MONEY, "ticket.refund_requested", Owner.REFUND_DECISION),
        _t(S.RETURNED_TO_CUSTOMER, S.CLOSED, MERCHANT | CUSTOMER, "ticket.closed"),
    ) + _REFUND_LEG,
    TicketType.COMPLAINT: (
        _t(S.SUBMITTED, S.INVESTIGATING, MERCHANT, "ticket.investigation_started"),
        _t(S.SUBMITTED, S.CANCELLED, CUSTOMER | MERCHANT, "ticket.cancelled"),
        _t(S.INVESTIGATING, S.WAITING_CUSTOMER, OPS, "ticket.info_requested"),
        _t(S.WAITING_CUSTOMER, S.INVESTIGATING, CUSTOMER | OPS, "ticket.info_provided"),
        _t(S.INVESTIGATING, S.RESOLVED, OPS, "ticket.resolved"),
        _t(S.RESOLVED, S.INVESTIGATING, CUSTOMER | SENIOR, "ticket.reopened"),
        _t(S.RESOLVED, S.CLOSED, CUSTOMER | MERCHANT, "ticket.closed"),
        _t(S.WAITING_CUSTOMER, S.CLOSED, MERCHANT, "ticket.closed"),
    ),
}

TABLES: Mapping[TicketType, tuple[Transition, ...]] = MappingProxyType(_TABLES)
INITIAL_STATUS = Status.SUBMITTED
CREATED_EVENT = "ticket.created"


def transitions_from(ticket_type: TicketType, source: Status) -> tuple[Transition, ...]:
    return tuple(t for t in TABLES[ticket_type] if t.source == source)


def find(ticket_type: TicketType, source: Status, target: Status) -> Transition | None:
    return next((t for t in TABLES[ticket_type] if t.source == source and t.target == target), None)


def states_of(ticket_type: TicketType) -> list[Status]:
    seen: dict[Status, None] = {INITIAL_STATUS: None}
    for t in TABLES[ticket_type]:
        seen.setdefault(t.source)
        seen.setdefault(t.target)
    return list(seen)


def to_mermaid(ticket_type: TicketType, label: Callable[[str], str] | None = None) -> str:
    """Render the table as a Mermaid stateDiagram-v2 (labels optionally translated)."""
    name = label or (lambda s: s)
    lines = ["stateDiagram-v2", f"    [*] --> {INITIAL_STATUS.value}"]
    for status in states_of(ticket_type):
        lines.append(f"    {status.value} : {name('status.' + status.value)}")
    for t in TABLES[ticket_type]:
        roles = ", ".join(sorted(r.value for r in t.roles))
        lines.append(f"    {t.source.value} --> {t.target.value} : {t.event} [{roles}]")
    for status in states_of(ticket_type):
        if status in TERMINAL_STATUSES:
            lines.append(f"    {status.value} --> [*]")
    return "\n".join(lines)

