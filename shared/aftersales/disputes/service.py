"""Dispute use cases: raise (customer, storefront, channels), take up, ask for evidence, add it,
decide, appeal once, close; the queue of an arbitrator; a payment platform's case joined to the
ticket its payment belongs to.

Money never moves here. An upheld dispute of a rejection reopens the ticket for approval
(rejected -> pending_approval through TicketService.transition, as the arbitrator), so the
approval workflow and its tiers decide again and any refund runs through the refund saga; any
other upheld dispute leaves a note on the ticket for staff.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from aftersales.core.clock import Clock, iso
from aftersales.core.errors import ConcurrentModification, NotFound, PreconditionFailed
from aftersales.core.ids import new_id
from aftersales.disputes import domain
from aftersales.disputes.model import Dispute, DisputeStatus, Outcome, PlatformCase, Remedy
from aftersales.disputes.ports import DisputedTickets, DisputeStore, EvidenceMedia, Page
from aftersales.events.ports import EventPublisher
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role, Status

SOURCE = "aftersales.disputes"
SYSTEM = Actor(id="system:disputes", roles=frozenset({Role.SYSTEM}))
MAX_ATTEMPTS = 3


class DisputeService:
    def __init__(self, store: DisputeStore, tickets: DisputedTickets, media: EvidenceMedia,
                 events: EventPublisher, clock: Clock, id_factory: Callable[[], str] | None = None) -> None:
        self._store = store
        self._tickets = tickets
        self._media = media
        self._events = events
        self._clock = clock
        self._new_id = id_factory or (lambda: new_id("dsp", self._clock.now()))

    # ------------------------------------------------------------------ reads
    def get(self, tenant_id: str, dispute_id: str, actor: Actor) -> Dispute:
        dispute = self._store.get(tenant_id, dispute_id)
        if dispute is None or not _can_view(dispute, actor):
            raise NotFound("disputes.not_found", dispute_id=dispute_id)
        return dispute

    def for_ticket(self, tenant_id: str, ticket_id: str, actor: Actor) -> list[Dispute]:
        self._tickets.get(tenant_id, ticket_id, actor)  # 404 unless the caller may see the ticket
        return [d for d in self._store.for_ticket(tenant_id, ticket_id) if _can_view(d, actor)]

    def queue(self, tenant_id: str, status: DisputeStatus, *, limit: int, cursor: str | None) -> Page:
        """The arbitrators' queue: disputes in `status`, the soonest due first."""
        return self._store.queue(tenant_id, status, limit=limit, cursor=cursor)

    # ------------------------------------------------------------------ the customer's side
    def raise_dispute(self, tenant_id: str, ticket_id: str, actor: Actor, *, text: str,
                      media_ids: Sequence[str] = ()) -> Dispute:
        ticket = self._tickets.get(tenant_id, ticket_id, actor)
        entries = self._tickets.audit(tenant_id, ticket_id, SYSTEM)
        if media_ids:
            self._media.check_evidence(tenant_id, ticket.customer_id, list(media_ids))
        dispute = domain.raise_dispute(dispute_id=self._new_id(), tenant_id=tenant_id, ticket=ticket,
                                       entries=entries, actor=actor, at=self._clock.now(), text=text,
                                       media_ids=media_ids)
        self._store.create(dispute)
        self._publish(dispute)
        return dispute

    def add_evidence(self, tenant_id: str, dispute_id: str, actor: Actor, *, text: str | None,
                     media_ids: Sequence[str] = (), expected_version: int | None = None) -> Dispute:
        def change(d: Dispute) -> Dispute:
            if media_ids:
                self._media.check_evidence(tenant_id, d.customer_id, list(media_ids))
            return domain.add_evidence(d, actor=actor, at=self._clock.now(), text=text, media_ids=media_ids)

        return self._mutate(tenant_id, dispute_id, actor, change, expected_version)

    def appeal(self, tenant_id: str, dispute_id: str, actor: Actor, *, text: str, media_ids: Sequence[str] = (),
               expected_version: int | None = None) -> Dispute:
        def change(d: Dispute) -> Dispute:
            if media_ids:
                self._media.check_evidence(tenant_id, d.customer_id, list(media_ids))
            return domain.appeal(d, actor=actor, at=self._clock.now(), text=text, media_ids=media_ids)

        return self._mutate(tenant_id, dispute_id, actor, change, expected_version)

    def close(self, tenant_id: str, dispute_id: str, actor: Actor, *, reason: str | None = None,
              expected_version: int | None = None) -> Dispute:
        return self._mutate(tenant_id, dispute_id, actor,
                            lambda d: domain.close(d, actor=actor, at=self._clock.now(), reason=reason),
                            expected_version)

    # ------------------------------------------------------------------ arbitration
    def take_up(self, tenant_id: str, dispute_id: str, actor: Actor, *, expected_version: int | None = None
                ) -> Dispute:
        return self._mutate(tenant_id, dispute_id, actor, lambda d: domain.take_up(
            d, actor=actor, at=self._clock.now(), deciders=self._deciders(d)), expected_version)

    def request_evidence(self, tenant_id: str, dispute_id: str, actor: Actor, *, reason: str,
                         expected_version: int | None = None) -> Dispute:
        return self._mutate(tenant_id, dispute_id, actor, lambda d: domain.request_evidence(
            d, actor=actor, at=self._clock.now(), reason=reason, deciders=self._deciders(d)), expected_version)

    def decide(self, tenant_id: str, dispute_id: str, actor: Actor, *, outcome: Outcome, reason: str,
               expected_version: int | None = None) -> Dispute:
        """The arbitrator's decision; the ticket's deciders are read again from its audit chain. An
        upheld decision then applies its remedy through the tickets context (never a payment)."""
        def change(d: Dispute) -> Dispute:
            ticket = self._tickets.get(tenant_id, d.ticket_id, SYSTEM)
            return domain.decide(d, outcome, actor=actor, at=self._clock.now(), reason=reason,
                                 remedy=domain.remedy_for(ticket.status), deciders=self._deciders(d))

        dispute = self._mutate(tenant_id, dispute_id, actor, change, expected_version)
        decision = dispute.decision
        if decision is not None and decision.outcome == Outcome.UPHELD:
            self._apply_remedy(dispute, actor, decision.remedy)
        return dispute

    def _apply_remedy(self, dispute: Dispute, actor: Actor, remedy: Remedy) -> None:
        data: dict[str, Any] = {"dispute_id": dispute.id, "remedy": remedy.value, "subject": dispute.subject.value}
        if remedy == Remedy.REOPEN_FOR_APPROVAL:
            self._tickets.transition(dispute.tenant_id, dispute.ticket_id, Status.PENDING_APPROVAL, actor,
                                     reason="dispute_upheld", data=data)
        elif remedy == Remedy.NOTED_FOR_STAFF:
            self._tickets.note(dispute.tenant_id, dispute.ticket_id, "ticket.dispute_upheld", SYSTEM,
                               reason="dispute_upheld", data={**data, "decided_by": actor.id})

    def _deciders(self, dispute: Dispute) -> frozenset[str]:
        return domain.ticket_deciders(self._tickets.audit(dispute.tenant_id, dispute.ticket_id, SYSTEM))

    # ------------------------------------------------------------------ payment platforms
    def platform_case(self, tenant_id: str, ticket_id: str, case: PlatformCase, *, event_id: str) -> Dispute:
        """A platform's dispute event (Stripe charge.dispute.*): the first opens the record on the
        ticket, later ones update it (once per provider event id); a closed case decides it."""
        for _ in range(MAX_ATTEMPTS):
            current = self._store.for_platform_case(tenant_id, case.provider, case.case_id)
            now = self._clock.now()
            if current is None:
                ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
                opened = domain.open_platform_case(
                    dispute_id=self._new_id(), tenant_id=tenant_id, ticket=ticket,
                    entries=self._tickets.audit(tenant_id, ticket_id, SYSTEM),
                    case=case.model_copy(update={"events": [event_id]}), actor=SYSTEM, at=now)
                try:
                    self._store.create(opened)
                except ConcurrentModification:
                    continue
                self._publish(opened)
                return opened
            changed = domain.platform_update(current, case, event_id=event_id, actor=SYSTEM, at=now)
            if changed is current:
                return current
            try:
                self._store.save(changed, current.version)
            except ConcurrentModification:
                continue
            self._publish(changed, since=current.version)
            return changed
        raise ConcurrentModification("error.concurrent_modification")

    def platform_dispute(self, tenant_id: str, provider: str, case_id: str) -> Dispute | None:
        """The record a platform's case (provider, case id) joined, if any (what its later events update)."""
        return self._store.for_platform_case(tenant_id, provider, case_id)

    def record_evidence_sent(self, tenant_id: str, dispute_id: str, actor: Actor, *, submit: bool,
                             fields: Sequence[str]) -> Dispute:
        return self._mutate(tenant_id, dispute_id, actor, lambda d: domain.evidence_submitted(
            d, actor=actor, at=self._clock.now(), submit=submit, fields=fields), None)

    # ------------------------------------------------------------------ internals
    def _mutate(self, tenant_id: str, dispute_id: str, actor: Actor, make: Callable[[Dispute], Dispute],
                expected_version: int | None) -> Dispute:
        for _ in range(MAX_ATTEMPTS):
            current = self.get(tenant_id, dispute_id, actor)
            if expected_version is not None and current.version != expected_version:
                raise PreconditionFailed("error.version_mismatch", expected=expected_version,
                                         current=current.version)
            changed = make(current)
            try:
                self._store.save(changed, current.version)
            except ConcurrentModification:
                continue
            self._publish(changed, since=current.version)
            return changed
        raise ConcurrentModification("error.concurrent_modification")

    def _publish(self, dispute: Dispute, since: int = 0) -> None:
        """One domain event per new audit entry (ids, statuses and the event only: no text)."""
        for entry in dispute.entries[since:]:
            self._events.publish(SOURCE, entry.event, {
                "tenant_id": dispute.tenant_id, "dispute_id": dispute.id, "ticket_id": dispute.ticket_id,
                "customer_id": dispute.customer_id, "source": dispute.source.value, "seq": entry.seq,
                "from_status": entry.from_status, "to_status": entry.to_status, "at": entry.at,
                "due_at": iso(dispute.due_at) if dispute.due_at else None, "assignee_id": dispute.assignee_id,
                "dedup_key": f"{dispute.id}#{entry.seq}"})


def _can_view(dispute: Dispute, actor: Actor) -> bool:
    if actor.is_customer:
        return dispute.customer_id == actor.customer_id
    return bool(actor.roles & (domain.ARBITERS | {Role.SYSTEM, Role.STOREFRONT, Role.AGENT, Role.SUPERVISOR,
                                                   Role.FINANCE}))
