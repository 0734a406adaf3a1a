"""Ticket entities and the pure rules that change them.

Every change returns the new ticket plus exactly one sealed audit entry; the repository writes
both atomically with an optimistic-lock condition on the version.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import ConfigDict, Field, StrictInt

from aftersales.core.clock import iso
from aftersales.core.errors import Forbidden, IllegalTransition, InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.core.money import Money
from aftersales.core.text import label
from aftersales.orders.domain import MAX_QUANTITY, Identifier, Order
from aftersales.risk.scoring import RiskSummary
from aftersales.tickets import transitions, warrants
from aftersales.tickets.audit import GENESIS_HASH, AuditEntry, seal
from aftersales.tickets.model import (
    LINE_TYPES,
    STAFF_ROLES,
    TERMINAL_STATUSES,
    Acceptance,
    Channel,
    Reception,
    Role,
    Status,
    TicketType,
)


class Actor(DomainModel):
    """Who is acting, resolved from the authorizer context."""

    model_config = ConfigDict(frozen=True)

    id: str
    roles: frozenset[Role]
    customer_id: str | None = None
    request_id: str | None = None

    @property
    def primary_role(self) -> Role:
        order = [Role.ADMIN, Role.SUPERVISOR, Role.FINANCE, Role.ARBITRATOR, Role.AGENT,
                 Role.STOREFRONT, Role.SYSTEM, Role.CUSTOMER]
        return next(r for r in order if r in self.roles)

    @property
    def is_customer(self) -> bool:
        return self.roles == {Role.CUSTOMER}

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)


class TicketLine(DomainModel):
    """A sub-record per order line: what was asked and what happened to the goods."""

    line_id: str
    sku: str
    quantity_requested: int = Field(ge=1)
    quantity_received: int = 0
    quantity_accepted: int = 0
    quantity_damaged: int = 0
    quantity_written_off: int = 0
    unit_price: Money
    reason_code: str | None = None
    batch: str | None = None  # the order line's batch / lot
    reception: Reception = Reception.AWAITING
    acceptance: Acceptance = Acceptance.PENDING

    @property
    def requested_amount(self) -> Money:
        return self.unit_price.times(self.quantity_requested)


class Ticket(DomainModel):
    id: str
    tenant_id: str
    type: TicketType
    status: Status
    version: int = Field(ge=1)
    order_id: str
    customer_id: str
    channel: Channel
    reason_code: str
    description: str | None = None
    lines: list[TicketLine] = Field(default_factory=list)
    requested_amount: Money
    assignee_id: str | None = None
    parent_id: str | None = None
    child_ids: list[str] = Field(default_factory=list)
    locale: str = "en"
    created_at: str
    updated_at: str
    head_hash: str
    requested_by: str | None = None  # who opened it (customer, agent or storefront): never its approver
    approval: warrants.ApprovalStamp | None = None
    media_ids: list[str] = Field(default_factory=list)  # the customer's ready evidence media (photos, videos)
    risk: RiskSummary | None = None  # the latest refund-abuse assessment approval routing made (staff only)

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL_STATUSES


class LineRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")

    line_id: Identifier
    quantity: StrictInt = Field(ge=1, le=MAX_QUANTITY)
    reason_code: label(64) | None = None


class OpenTicket(DomainModel):
    """A validated request to open a ticket (the service fills ids and time)."""

    type: TicketType
    order_id: str
    customer_id: str | None = None
    channel: Channel
    reason_code: str
    description: str | None = None
    lines: list[LineRequest] = Field(default_factory=list)
    parent_id: str | None = None
    locale: str = "en"
    # refund-abuse signals of the request ({"ip"|"device": opaque hash}); kept on the audit entry only
    risk_keys: dict[str, str] = Field(default_factory=dict)
    media_ids: list[str] = Field(default_factory=list)  # evidence, vouched for by the media context


class Change(DomainModel):
    ticket: Ticket
    entry: AuditEntry


def _entry(ticket: Ticket | None, *, seq: int, at: datetime, event: str, actor: Actor,
           from_status: Status | None, to_status: Status, reason: str | None,
           data: dict[str, Any] | None = None) -> AuditEntry:
    return seal(AuditEntry(
        seq=seq, at=iso(at), event=event, actor_id=actor.id, actor_role=actor.primary_role.value,
        from_status=from_status.value if from_status else None, to_status=to_status.value,
        reason=reason, request_id=actor.request_id, data=data or {},
        prev_hash=ticket.head_hash if ticket else GENESIS_HASH,
    ))


def validate_lines(order: Order, request: OpenTicket, reserved: dict[str, int]) -> list[TicketLine]:
    """Lines must exist on the order and never ask for more than was bought minus what open
    tickets already hold (`reserved`)."""
    if request.type in LINE_TYPES and not request.lines:
        raise InvalidRequest("error.lines_required", field="lines", type=request.type.value)
    seen: set[str] = set()
    lines: list[TicketLine] = []
    for index, wanted in enumerate(request.lines):
        field = f"lines[{index}]"
        if wanted.line_id in seen:
            raise InvalidRequest("error.duplicate_line", field=f"{field}.line_id", line_id=wanted.line_id)
        seen.add(wanted.line_id)
        bought = order.line(wanted.line_id)
        if bought is None:
            raise InvalidRequest("error.unknown_order_line", field=f"{field}.line_id",
                                 line_id=wanted.line_id)
        available = bought.quantity - reserved.get(wanted.line_id, 0)
        if wanted.quantity > available:
            raise InvalidRequest("error.quantity_exceeds_purchase", field=f"{field}.quantity",
                                 line_id=wanted.line_id, requested=wanted.quantity, available=available)
        lines.append(TicketLine(line_id=bought.line_id, sku=bought.sku, quantity_requested=wanted.quantity,
                                unit_price=bought.unit_price_paid, reason_code=wanted.reason_code,
                                batch=bought.batch))
    return lines


def _created_line(line: TicketLine, reason_code: str) -> dict[str, Any]:
    """A line as `ticket.created` carries it (product insights count return reasons per sku and batch)."""
    data: dict[str, Any] = {"line_id": line.line_id, "quantity": line.quantity_requested, "sku": line.sku,
                            "reason_code": line.reason_code or reason_code}
    if line.batch:
        data["batch"] = line.batch
    return data


def open_ticket(*, ticket_id: str, tenant_id: str, request: OpenTicket, order: Order,
                reserved: dict[str, int], actor: Actor, at: datetime) -> Change:
    if actor.is_customer and order.customer.id != actor.customer_id:
        # Existence of other customers' orders must not leak.
        raise Forbidden("error.order_not_yours")
    lines = validate_lines(order, request, reserved)
    requested = Money.zero(order.currency)
    for line in lines:
        requested = requested + line.requested_amount
    if request.type == TicketType.SHIPPING_FEE_REFUND:
        requested = order.shipping_fee
    now = iso(at)
    draft = Ticket(
        id=ticket_id, tenant_id=tenant_id, type=request.type, status=transitions.INITIAL_STATUS,
        version=1, order_id=order.order_id, customer_id=order.customer.id, channel=request.channel,
        reason_code=request.reason_code, description=request.description, lines=lines,
        requested_amount=requested, parent_id=request.parent_id, locale=request.locale,
        created_at=now, updated_at=now, head_hash=GENESIS_HASH, requested_by=actor.id,
        media_ids=list(dict.fromkeys(request.media_ids)),
    )
    data: dict[str, Any] = {"type": draft.type.value, "order_id": draft.order_id,
                            "requested_amount": requested.model_dump(),
                            "lines": [_created_line(ln, request.reason_code) for ln in lines]}
    if draft.media_ids:
        data["media_ids"] = draft.media_ids
    risk_keys = {**request.risk_keys}
    if order.shipping.address_fingerprint:
        risk_keys["address"] = order.shipping.address_fingerprint
    if risk_keys:
        data["risk_keys"] = dict(sorted(risk_keys.items()))  # the risk-counters consumer reads these
    entry = _entry(None, seq=1, at=at, event=transitions.CREATED_EVENT, actor=actor, from_status=None,
                   to_status=draft.status, reason=request.reason_code, data=data)
    return Change(ticket=draft.model_copy(update={"head_hash": entry.hash}), entry=entry)


def allowed_targets(ticket: Ticket, actor: Actor) -> list[dict[str, Any]]:
    """What may happen next, and who may do it (the 409 payload and the UI's buttons). A move owned
    by a use case is never `permitted` here: `use` names the endpoint that takes it."""
    out = []
    for t in transitions.transitions_from(ticket.type, ticket.status):
        item: dict[str, Any] = {"to": t.target.value, "event": t.event, "roles": sorted(r.value for r in t.roles),
                                "permitted": t.owner is None and bool(actor.roles & t.roles)}
        if t.owner is not None:
            item["use"] = transitions.OWNER_ENDPOINTS[t.owner].replace("{ticket_id}", ticket.id)
        out.append(item)
    return out


def transition(ticket: Ticket, target: Status, *, actor: Actor, at: datetime,
               reason: str | None = None, data: dict[str, Any] | None = None,
               warrant: warrants.Warrant | None = None, lines: list[TicketLine] | None = None) -> Change:
    """Move the ticket. An owned transition (money or goods) needs the owner's warrant, checked
    here whoever calls; `lines` are the ticket's new lines written with the move."""
    rule = transitions.find(ticket.type, ticket.status, target)
    if rule is None:
        raise IllegalTransition("error.illegal_transition", status=ticket.status.value, to=target.value,
                                allowed=allowed_targets(ticket, actor))
    if rule.owner is not None and warrant is None:
        raise IllegalTransition("error.transition_owned", status=ticket.status.value, to=target.value,
                                use=transitions.OWNER_ENDPOINTS[rule.owner].replace("{ticket_id}", ticket.id),
                                allowed=allowed_targets(ticket, actor))
    if not actor.roles & rule.roles:
        raise Forbidden("error.role_not_permitted", to=target.value,
                        required=sorted(r.value for r in rule.roles))
    new_lines = ticket.lines if lines is None else lines
    stamp = _authorise(ticket, rule, actor, warrant, new_lines)
    entry = _entry(ticket, seq=ticket.version + 1, at=at, event=rule.event, actor=actor,
                   from_status=ticket.status, to_status=target, reason=reason, data=data)
    update: dict[str, Any] = {"status": target, "version": entry.seq, "updated_at": entry.at,
                              "head_hash": entry.hash, "lines": new_lines}
    if target == Status.APPROVED or (isinstance(warrant, warrants.PlatformDecision) and ticket.approval is None
                                     and target in transitions.AFTER_APPROVAL | {Status.REFUNDED}):
        # a platform that refunds after our refusal decided it: its decision is the approval on record
        update["approval"] = warrants.ApprovalStamp(route=stamp[0], rule_id=stamp[1], approver_ids=stamp[2],
                                                    seq=entry.seq)
    elif target == Status.PENDING_APPROVAL:
        update["approval"] = None  # a reopened request is decided afresh
    return Change(ticket=ticket.model_copy(update=update), entry=entry)


_WARRANT_OF: dict[transitions.Owner, type] = {
    transitions.Owner.APPROVAL: warrants.ApprovalRecord, transitions.Owner.FULFILMENT: warrants.FulfilmentStep,
    transitions.Owner.ELIGIBILITY: warrants.EligibilityRefusal,
    transitions.Owner.INSPECTION: warrants.InspectionRecord, transitions.Owner.PLATFORM: warrants.PlatformDecision,
    transitions.Owner.REFUND_SETTLEMENT: warrants.RefundSettlement,
    transitions.Owner.REFUND_DECISION: warrants.RefundDecision,
}


def _authorise(ticket: Ticket, rule: transitions.Transition, actor: Actor, warrant: warrants.Warrant | None,
               lines: list[TicketLine]) -> tuple[str, str | None, tuple[str, ...]]:
    """Check the warrant against the owned rule; (route, rule id, approvers) for an approval."""
    stamp: tuple[str, str | None, tuple[str, ...]] = ("", None, ())
    if rule.target in transitions.AFTER_APPROVAL and ticket.approval is None:
        raise warrants.refuse("not_approved")
    if rule.owner is None:
        return stamp
    if isinstance(warrant, warrants.PlatformDecision):
        warrants.check_platform(warrant, channel=ticket.channel, actor_roles=actor.roles)
        return (f"platform:{warrant.platform}", None, ())
    if not isinstance(warrant, _WARRANT_OF[rule.owner]):
        raise warrants.refuse("wrong_warrant", owner=rule.owner.value)
    if isinstance(warrant, warrants.ApprovalRecord):
        if ticket.requested_by is not None and warrant.requester_id != ticket.requested_by:
            raise warrants.refuse("requester_mismatch")
        outcome = "approved" if rule.target == Status.APPROVED else "rejected"
        approvers = warrants.check_approval(warrant, target_outcome=outcome, actor_id=actor.id,
                                            actor_roles=actor.roles)
        return (warrant.route, warrant.rule_id, approvers)
    if isinstance(warrant, warrants.FulfilmentStep | warrants.RefundSettlement | warrants.EligibilityRefusal
                  ) and Role.SYSTEM not in actor.roles:
        raise warrants.refuse("automation_only", owner=rule.owner.value)
    if isinstance(warrant, warrants.InspectionRecord):
        warrants.check_inspection([(ln.acceptance, ln.quantity_accepted) for ln in lines],
                                  goods_accepted=rule.target != Status.REJECTED)
    if isinstance(warrant, warrants.RefundDecision) and actor.id in (ticket.requested_by, *(
            ticket.approval.approver_ids if ticket.approval else ())):
        raise warrants.refuse("requester_cannot_decide")
    return stamp


def assign(ticket: Ticket, assignee_id: str, *, actor: Actor, at: datetime,
           reason: str | None = None) -> Change:
    if not actor.roles & {Role.SUPERVISOR, Role.ADMIN, Role.AGENT, Role.SYSTEM}:
        raise Forbidden("error.role_not_permitted", action="assign")
    if Role.AGENT in actor.roles and not actor.roles & {Role.SUPERVISOR, Role.ADMIN} \
            and assignee_id != actor.id:
        # Agents may take a ticket; only supervisors hand tickets to others.
        raise Forbidden("error.role_not_permitted", action="assign_other")
    if ticket.is_terminal:
        raise IllegalTransition("error.ticket_closed", status=ticket.status.value, allowed=[])
    entry = _entry(ticket, seq=ticket.version + 1, at=at, event="ticket.assigned", actor=actor,
                   from_status=ticket.status, to_status=ticket.status, reason=reason,
                   data={"from_assignee": ticket.assignee_id, "to_assignee": assignee_id})
    return Change(ticket=ticket.model_copy(update={
        "assignee_id": assignee_id, "version": entry.seq, "updated_at": entry.at,
        "head_hash": entry.hash}), entry=entry)


def note(ticket: Ticket, event: str, *, actor: Actor, at: datetime, reason: str | None = None,
         data: dict[str, Any] | None = None, after_close: bool = False) -> Change:
    """An audit entry without a status change, written by automation (e.g. an SLA reminder).
    `after_close`: money settled after the ticket closed (a repair charge paid or waived) is
    still recorded on its chain."""
    if Role.SYSTEM not in actor.roles:
        raise Forbidden("error.role_not_permitted", action="note")
    if ticket.is_terminal and not after_close:
        raise IllegalTransition("error.ticket_closed", status=ticket.status.value, allowed=[])
    entry = _entry(ticket, seq=ticket.version + 1, at=at, event=event, actor=actor,
                   from_status=ticket.status, to_status=ticket.status, reason=reason, data=data)
    return Change(ticket=ticket.model_copy(update={
        "version": entry.seq, "updated_at": entry.at, "head_hash": entry.hash}), entry=entry)


RISK_ASSESSED_EVENT = "ticket.risk_assessed"


def record_risk(ticket: Ticket, summary: RiskSummary, *, actor: Actor, at: datetime) -> Change:
    """Keep the risk assessment approval routing made on the ticket (automation only): the header
    carries the summary for the queue, the audit entry what it was and when."""
    if Role.SYSTEM not in actor.roles:
        raise Forbidden("error.role_not_permitted", action="record_risk")
    if ticket.is_terminal:
        raise IllegalTransition("error.ticket_closed", status=ticket.status.value, allowed=[])
    entry = _entry(ticket, seq=ticket.version + 1, at=at, event=RISK_ASSESSED_EVENT, actor=actor,
                   from_status=ticket.status, to_status=ticket.status, reason=None,
                   data={"risk": summary.model_dump(mode="json")})
    return Change(ticket=ticket.model_copy(update={
        "risk": summary, "version": entry.seq,
        "updated_at": entry.at, "head_hash": entry.hash}), entry=entry)


AGENT_REPLIED, CUSTOMER_REPLIED = "ticket.agent_replied", "ticket.customer_replied"
INTERNAL_NOTE = "ticket.internal_note"  # staff to staff: never to the customer, not a response
# Who may put a message on a ticket's record: staff answer, the customer (or the storefront and
# channel intake on their behalf) writes in.
MESSAGE_AUTHORS: dict[str, frozenset[Role]] = {
    AGENT_REPLIED: STAFF_ROLES,
    CUSTOMER_REPLIED: frozenset({Role.CUSTOMER, Role.STOREFRONT, Role.SYSTEM}),
    INTERNAL_NOTE: STAFF_ROLES,
}


def message(ticket: Ticket, event: str, *, actor: Actor, at: datetime, data: dict[str, Any] | None = None
            ) -> Change:
    """A reply on the ticket's conversation, kept in the audit chain so that response-time clocks
    run on real messages (the text itself stays in the conversation, not in the chain)."""
    if not actor.roles & MESSAGE_AUTHORS[event]:
        raise Forbidden("error.role_not_permitted", action=event)
    if ticket.is_terminal:
        raise IllegalTransition("error.ticket_closed", status=ticket.status.value, allowed=[])
    entry = _entry(ticket, seq=ticket.version + 1, at=at, event=event, actor=actor,
                   from_status=ticket.status, to_status=ticket.status, reason=None, data=data)
    return Change(ticket=ticket.model_copy(update={
        "version": entry.seq, "updated_at": entry.at, "head_hash": entry.hash}), entry=entry)


MEDIA_ATTACHED_EVENT = "ticket.media_attached"
MAX_MEDIA = 20  # evidence media per ticket


def attach_media(ticket: Ticket, media_ids: list[str], *, actor: Actor, at: datetime) -> Change:
    """Add evidence media (already vouched for by the media context); ids already on the ticket
    are skipped, and a request adding none is refused."""
    if ticket.is_terminal:
        raise IllegalTransition("error.ticket_closed", status=ticket.status.value, allowed=[])
    new = [m for m in dict.fromkeys(media_ids) if m not in ticket.media_ids]
    if not new:
        raise InvalidRequest("media.already_attached", field="media_ids")
    if len(ticket.media_ids) + len(new) > MAX_MEDIA:
        raise InvalidRequest("media.too_many", field="media_ids", max=MAX_MEDIA)
    entry = _entry(ticket, seq=ticket.version + 1, at=at, event=MEDIA_ATTACHED_EVENT, actor=actor,
                   from_status=ticket.status, to_status=ticket.status, reason=None, data={"media_ids": new})
    return Change(ticket=ticket.model_copy(update={
        "media_ids": [*ticket.media_ids, *new], "version": entry.seq, "updated_at": entry.at,
        "head_hash": entry.hash}), entry=entry)


def can_view(ticket: Ticket, actor: Actor) -> bool:
    return not actor.is_customer or ticket.customer_id == actor.customer_id

def releases_reservation(source: Status, target: Status) -> bool:
    """Leaving for good without goods changing hands frees the ordered quantity again."""
    return target == Status.CANCELLED or (source == Status.REJECTED and target == Status.CLOSED)
