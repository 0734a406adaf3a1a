"""Ticket use cases. Orchestrates the pure domain and the TicketStore port."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aftersales.core.clock import Clock
from aftersales.core.errors import (
    ConcurrentModification,
    DomainError,
    IllegalTransition,
    InvalidRequest,
    NotFound,
    PreconditionFailed,
)
from aftersales.core.ids import new_id
from aftersales.orders.domain import Order, upsert_decision
from aftersales.risk.scoring import RiskSummary
from aftersales.tickets import domain
from aftersales.tickets.audit import AuditEntry, ChainVerification, verify_chain
from aftersales.tickets.domain import Actor, Change, OpenTicket, Ticket, TicketLine
from aftersales.tickets.model import Reception, Status
from aftersales.tickets.ports import EvidenceMedia, Page, TicketStore, TimelineEntry
from aftersales.tickets.warrants import Warrant

MAX_ATTEMPTS = 4  # optimistic-lock retries before giving the conflict to the caller


@dataclass
class ItemResult:
    ticket_id: str
    ok: bool
    status: str | None = None
    version: int | None = None
    error: DomainError | None = None


class TicketService:
    def __init__(self, store: TicketStore, clock: Clock,
                 id_factory: Callable[[], str] | None = None, *, evidence: EvidenceMedia | None = None) -> None:
        self._store = store
        self._clock = clock
        self._evidence = evidence
        self._new_id = id_factory or (lambda: new_id("tkt", self._clock.now()))

    # ------------------------------------------------------------------ orders
    def upsert_order(self, tenant_id: str, order: Order) -> str:
        for _ in range(MAX_ATTEMPTS):
            stored = self._store.get_order(tenant_id, order.order_id)
            decision = upsert_decision(stored.order if stored else None, order)
            if decision == "unchanged":
                return decision
            try:
                self._store.put_order(tenant_id, order, stored)
                return decision
            except ConcurrentModification:
                continue
        raise ConcurrentModification("error.concurrent_modification")

    def get_order(self, tenant_id: str, order_id: str, actor: Actor) -> Order:
        stored = self._store.get_order(tenant_id, order_id)
        if stored is None or (actor.is_customer and stored.order.customer.id != actor.customer_id):
            raise NotFound("error.order_not_found", order_id=order_id)
        return stored.order

    # ------------------------------------------------------------------ tickets
    def open(self, tenant_id: str, request: OpenTicket, actor: Actor) -> Ticket:
        ticket_id = self._new_id()
        for _ in range(MAX_ATTEMPTS):
            stored = self._store.get_order(tenant_id, request.order_id)
            if stored is None:
                raise InvalidRequest("error.unknown_order", field="order_id", order_id=request.order_id)
            if request.customer_id and request.customer_id != stored.order.customer.id:
                raise InvalidRequest("error.customer_mismatch", field="customer_id")
            parent = self._parent(tenant_id, request, actor)
            self._check_evidence(tenant_id, stored.order.customer.id, request.media_ids)
            change = domain.open_ticket(ticket_id=ticket_id, tenant_id=tenant_id, request=request,
                                        order=stored.order, reserved=stored.reserved, actor=actor,
                                        at=self._clock.now())
            reserved = dict(stored.reserved)
            for line in change.ticket.lines:
                reserved[line.line_id] = reserved.get(line.line_id, 0) + line.quantity_requested
            try:
                self._store.create_ticket(change, stored, reserved, parent)
                return change.ticket
            except ConcurrentModification:
                continue  # the order or parent moved on: re-read and re-validate
        raise ConcurrentModification("error.concurrent_modification")

    def _check_evidence(self, tenant_id: str, customer_id: str, media_ids: list[str]) -> None:
        if not media_ids:
            return
        if self._evidence is None:
            raise InvalidRequest("media.not_available", field="media_ids")
        self._evidence.check_evidence(tenant_id, customer_id, media_ids)

    def attach_media(self, tenant_id: str, ticket_id: str, media_ids: list[str], actor: Actor, *,
                     expected_version: int | None = None) -> Ticket:
        """Evidence added after opening: the ticket customer's own ready media (422 at media_ids[i])."""
        ticket = self.get(tenant_id, ticket_id, actor)
        self._check_evidence(tenant_id, ticket.customer_id, media_ids)
        if all(m in ticket.media_ids for m in media_ids):
            return ticket  # a repeated request attaches nothing twice
        return self._mutate(tenant_id, ticket_id, actor,
                            lambda t: domain.attach_media(t, media_ids, actor=actor, at=self._clock.now()),
                            expected_version)

    def _parent(self, tenant_id: str, request: OpenTicket, actor: Actor) -> Ticket | None:
        if request.parent_id is None:
            return None
        parent = self._store.get_ticket(tenant_id, request.parent_id)
        if parent is None or not domain.can_view(parent, actor):
            raise InvalidRequest("error.unknown_parent", field="parent_id")
        if parent.order_id != request.order_id:
            raise InvalidRequest("error.parent_other_order", field="parent_id")
        return parent

    def get(self, tenant_id: str, ticket_id: str, actor: Actor) -> Ticket:
        ticket = self._store.get_ticket(tenant_id, ticket_id)
        if ticket is None or not domain.can_view(ticket, actor):
            # A customer asking for someone else's ticket learns nothing about its existence.
            raise NotFound("error.ticket_not_found", ticket_id=ticket_id)
        return ticket

    def list(self, tenant_id: str, actor: Actor, *, customer_id: str | None = None,
             status: str | None = None, limit: int = 50, cursor: str | None = None) -> Page:
        if actor.is_customer:
            customer_id = actor.customer_id
        return self._store.list_tickets(tenant_id, customer_id=customer_id, status=status,
                                        limit=limit, cursor=cursor)

    def transition(self, tenant_id: str, ticket_id: str, target: Status, actor: Actor, *,
                   reason: str | None = None, expected_version: int | None = None,
                   data: dict[str, Any] | None = None, line_reception: Reception | None = None,
                   lines: Callable[[Ticket], list[TicketLine]] | None = None,
                   warrant: Warrant | None = None) -> Ticket:
        """`line_reception` (carrier scans) moves every line's reception axis in the same write;
        `lines` (e.g. inspection results) computes the ticket's new lines from the current ticket
        (re-run on an optimistic-lock retry; it may raise) and writes them with the status change.
        `warrant` is the owning use case's proof for a transition that commits money or goods
        (tickets/warrants.py); without one such a transition is refused."""
        if line_reception is not None:
            data = {**(data or {}), "line_reception": line_reception.value}

        def change(ticket: Ticket) -> Change:
            new_lines = lines(ticket) if lines is not None else None
            if line_reception is not None:
                new_lines = [ln.model_copy(update={"reception": line_reception, **(
                    {"quantity_received": ln.quantity_requested} if line_reception is Reception.RECEIVED else {})})
                    for ln in (new_lines if new_lines is not None else ticket.lines)]
            return domain.transition(ticket, target, actor=actor, at=self._clock.now(), reason=reason,
                                     data=data, warrant=warrant, lines=new_lines)

        def release(ticket: Ticket) -> dict[str, int] | None:
            if not domain.releases_reservation(ticket.status, target):
                return None
            return {ln.line_id: ln.quantity_requested for ln in ticket.lines} or None

        return self._mutate(tenant_id, ticket_id, actor, change, expected_version, release)

    def assign(self, tenant_id: str, ticket_id: str, assignee_id: str, actor: Actor, *,
               reason: str | None = None, expected_version: int | None = None) -> Ticket:
        return self._mutate(tenant_id, ticket_id, actor,
                            lambda t: domain.assign(t, assignee_id, actor=actor, at=self._clock.now(),
                                                    reason=reason),
                            expected_version)

    def note(self, tenant_id: str, ticket_id: str, event: str, actor: Actor, *,
             reason: str | None = None, data: dict[str, Any] | None = None, after_close: bool = False) -> Ticket:
        """Record an automation step (SLA reminder, breach, default action) in the audit chain."""
        return self._mutate(tenant_id, ticket_id, actor,
                            lambda t: domain.note(t, event, actor=actor, at=self._clock.now(),
                                                  reason=reason, data=data, after_close=after_close),
                            None)

    def record_risk(self, tenant_id: str, ticket: Ticket, summary: RiskSummary, actor: Actor) -> Ticket:
        """Keep the latest risk assessment on `ticket` (as the caller just read it; domain.record_risk).
        Nothing is written when it already carries the same result (a retried routing step) or is
        closed, also when it closed meanwhile: a closed ticket is in no queue."""
        if ticket.is_terminal or summary.same_result(ticket.risk):
            return ticket
        try:
            return self._mutate(tenant_id, ticket.id, actor,
                                lambda t: domain.record_risk(t, summary, actor=actor, at=self._clock.now()), None)
        except IllegalTransition:
            return self.get(tenant_id, ticket.id, actor)

    def message(self, tenant_id: str, ticket_id: str, event: str, actor: Actor, *,
                data: dict[str, Any] | None = None) -> Ticket:
        """Record a staff reply or a customer message (domain.message) in the audit chain."""
        return self._mutate(tenant_id, ticket_id, actor,
                            lambda t: domain.message(t, event, actor=actor, at=self._clock.now(), data=data),
                            None)

    def _mutate(self, tenant_id: str, ticket_id: str, actor: Actor, make: Callable[[Ticket], Change],
                expected_version: int | None,
                release: Callable[[Ticket], dict[str, int] | None] = lambda _t: None) -> Ticket:
        for _ in range(MAX_ATTEMPTS):
            ticket = self.get(tenant_id, ticket_id, actor)
            if expected_version is not None and ticket.version != expected_version:
                raise PreconditionFailed("error.version_mismatch", expected=expected_version,
                                         current=ticket.version)
            change = make(ticket)
            try:
                if change.ticket.lines != ticket.lines:
                    self._store.save_change(change, ticket.version, release(ticket), lines=change.ticket.lines)
                else:
                    self._store.save_change(change, ticket.version, release(ticket))
                return change.ticket
            except ConcurrentModification:
                continue  # someone else changed it: re-read, re-check the rules, try again
        raise ConcurrentModification("error.concurrent_modification")

    def batch(self, tenant_id: str, ticket_ids: list[str], actor: Actor,
              action: Callable[[str], Ticket]) -> list[ItemResult]:
        results = []
        for ticket_id in ticket_ids:
            try:
                ticket = action(ticket_id)
                results.append(ItemResult(ticket_id, True, ticket.status.value, ticket.version))
            except DomainError as exc:
                results.append(ItemResult(ticket_id, False, error=exc))
        return results

    # ------------------------------------------------------------------ audit and timeline
    def audit(self, tenant_id: str, ticket_id: str, actor: Actor) -> list[AuditEntry]:
        self.get(tenant_id, ticket_id, actor)
        return self._store.audit_entries(tenant_id, ticket_id)

    def verify(self, tenant_id: str, ticket_id: str, actor: Actor) -> ChainVerification:
        ticket = self.get(tenant_id, ticket_id, actor)
        result = verify_chain(self._store.audit_entries(tenant_id, ticket_id))
        if result.valid and result.head_hash != ticket.head_hash:
            return result.model_copy(update={"valid": False, "reason": "head_mismatch"})
        return result

    def timeline(self, tenant_id: str, ticket_id: str, actor: Actor) -> list[TimelineEntry]:
        self.get(tenant_id, ticket_id, actor)
        return self._store.timeline(tenant_id, ticket_id)

    def project_timeline(self, tenant_id: str, ticket_id: str, entry: TimelineEntry) -> None:
        """Called by the timeline projector (a trusted consumer of domain events)."""
        self._store.put_timeline(tenant_id, ticket_id, entry)
