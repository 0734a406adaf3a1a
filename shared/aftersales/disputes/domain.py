"""The dispute's transition table and the pure rules that move it.

Every change returns the new dispute with exactly one more sealed audit entry (the tickets'
hash chain: tickets/audit.py), so the chain of a dispute verifies like a ticket's. Separation of
duties is checked here, where the state changes: nobody who decided the disputed ticket (its
approvers, rejecters, inspectors, refund and repair deciders) may take up or decide its dispute,
nor the person who raised it; an appeal is decided by someone other than the first arbitrator.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from aftersales.core.clock import iso
from aftersales.core.errors import Conflict, Forbidden, IllegalTransition, InvalidRequest
from aftersales.core.money import Money
from aftersales.disputes.model import (
    MAX_APPEALS,
    MAX_ENTRIES,
    MAX_EVIDENCE,
    Decision,
    Dispute,
    DisputeStatus,
    Evidence,
    Outcome,
    PlatformCase,
    Remedy,
    Source,
    Subject,
)
from aftersales.tickets.audit import GENESIS_HASH, AuditEntry, seal
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import TERMINAL_STATUSES, Role, Status, TicketType

D = DisputeStatus
CUSTOMER_SIDE = frozenset({Role.CUSTOMER, Role.STOREFRONT})  # the customer, or the merchant's systems for them
ARBITERS = frozenset({Role.ARBITRATOR, Role.ADMIN})
PLATFORM = frozenset({Role.SYSTEM})  # a payment platform's signed webhook, applied by automation
CREATED_EVENT = "dispute.raised"


@dataclass(frozen=True)
class Move:
    source: DisputeStatus
    target: DisputeStatus
    event: str
    roles: frozenset[Role]


MOVES: tuple[Move, ...] = (
    Move(D.RAISED, D.UNDER_REVIEW, "dispute.review_started", ARBITERS),
    Move(D.RAISED, D.CLOSED, "dispute.withdrawn", CUSTOMER_SIDE),
    Move(D.UNDER_REVIEW, D.AWAITING_EVIDENCE, "dispute.evidence_requested", ARBITERS),
    Move(D.AWAITING_EVIDENCE, D.UNDER_REVIEW, "dispute.evidence_provided", CUSTOMER_SIDE | ARBITERS),
    Move(D.AWAITING_EVIDENCE, D.CLOSED, "dispute.withdrawn", CUSTOMER_SIDE),
    Move(D.UNDER_REVIEW, D.DECIDED, "dispute.decided", ARBITERS | PLATFORM),
    Move(D.RAISED, D.DECIDED, "dispute.decided", PLATFORM),  # the platform closed its case before we looked
    Move(D.AWAITING_EVIDENCE, D.DECIDED, "dispute.decided", PLATFORM),
    Move(D.DECIDED, D.APPEALED, "dispute.appealed", CUSTOMER_SIDE),
    Move(D.APPEALED, D.UNDER_REVIEW, "dispute.appeal_review_started", ARBITERS),
    Move(D.DECIDED, D.CLOSED, "dispute.closed", CUSTOMER_SIDE | ARBITERS | PLATFORM),
)

# The SLA of each open state: how long it may wait for its next move (the dispute's due_at).
SLA: MappingProxyType[DisputeStatus, timedelta] = MappingProxyType({
    D.RAISED: timedelta(days=1),  # an arbitrator takes it up
    D.UNDER_REVIEW: timedelta(days=3),  # a decision (or a request for evidence)
    D.AWAITING_EVIDENCE: timedelta(days=7),  # the customer answers
    D.APPEALED: timedelta(days=1),  # a second arbitrator takes the appeal up
    D.DECIDED: timedelta(days=14),  # the appeal window; closed after it
})
APPEAL_WINDOW = SLA[D.DECIDED]


def find(source: DisputeStatus, target: DisputeStatus) -> Move | None:
    return next((m for m in MOVES if m.source == source and m.target == target), None)


def allowed(dispute: Dispute, actor: Actor) -> list[dict[str, Any]]:
    """The next moves and whether this actor may take them (the 409 payload and the buttons)."""
    return [{"to": m.target.value, "event": m.event, "permitted": bool(actor.roles & m.roles)}
            for m in MOVES if m.source == dispute.status]


# ---------------------------------------------------------------------- what is disputed, who decided it
DECISION_EVENTS = frozenset({"ticket.approved", "ticket.rejected", "ticket.inspection_passed",
                             "ticket.inspection_failed", "ticket.repaired", "ticket.unrepairable"})


def ticket_deciders(entries: Iterable[AuditEntry]) -> frozenset[str]:
    """Everyone the ticket's audit chain shows deciding it: the actor of an approval, rejection,
    inspection or repair outcome, each reviewer the approval recorded (`data.decisions`), and the
    money staff who decided an unrepairable item's refund (`data.decided_by`)."""
    people: set[str] = set()
    for entry in entries:
        refund_decision = entry.event == "ticket.refund_requested" and entry.from_status == Status.UNREPAIRABLE
        if entry.event not in DECISION_EVENTS and not refund_decision:
            continue
        people.add(entry.actor_id)
        for decision in entry.data.get("decisions") or ():
            if isinstance(decision, dict) and decision.get("approver_id"):
                people.add(str(decision["approver_id"]))
        if entry.data.get("decided_by"):
            people.add(str(entry.data["decided_by"]))
    return frozenset(people)


def refunded_total(entries: Sequence[AuditEntry], currency: str) -> Money:
    total = Money.zero(currency)
    for entry in entries:
        amount = entry.data.get("amount") if entry.event == "ticket.refunded" else None
        if isinstance(amount, dict) and amount.get("currency") == currency:
            total = total + Money(amount=int(amount["amount"]), currency=currency)
    return total


def disputable(ticket: Ticket, entries: Sequence[AuditEntry]) -> Subject:
    """The decision a customer can contest on this ticket, or 409 `disputes.nothing_to_dispute`."""
    status = ticket.status
    if status == Status.CLOSED:
        closing = next((e for e in reversed(entries) if e.to_status == Status.CLOSED.value), None)
        status = Status(closing.from_status) if closing and closing.from_status else status
    if status == Status.REJECTED:
        return Subject.REJECTION
    if ticket.type == TicketType.REPAIR and status in (Status.REPAIRED, Status.UNREPAIRABLE,
                                                       Status.RETURNED_TO_CUSTOMER):
        return Subject.REPAIR_OUTCOME
    if status == Status.REFUNDED:
        refunded = refunded_total(entries, ticket.requested_amount.currency)
        if refunded.amount < ticket.requested_amount.amount:
            return Subject.PARTIAL_REFUND
    raise Conflict("disputes.nothing_to_dispute", ticket_id=ticket.id, status=ticket.status.value)


# ---------------------------------------------------------------------- changes
def _entry(dispute: Dispute | None, *, at: datetime, event: str, actor: Actor, to_status: DisputeStatus,
           reason: str | None, data: dict[str, Any] | None) -> AuditEntry:
    return seal(AuditEntry(
        seq=dispute.version + 1 if dispute else 1, at=iso(at), event=event, actor_id=actor.id,
        actor_role=actor.primary_role.value, from_status=dispute.status.value if dispute else None,
        to_status=to_status.value, reason=reason, request_id=actor.request_id, data=data or {},
        prev_hash=dispute.head_hash if dispute else GENESIS_HASH))


def _due(status: DisputeStatus, at: datetime, platform: PlatformCase | None) -> datetime | None:
    if status == D.CLOSED:
        return None
    if platform is not None and platform.evidence_due_by is not None and status != D.DECIDED:
        return platform.evidence_due_by
    return at + SLA[status]


def _record(dispute: Dispute, *, at: datetime, event: str, actor: Actor, to_status: DisputeStatus | None = None,
            reason: str | None = None, data: dict[str, Any] | None = None, **update: Any) -> Dispute:
    if len(dispute.entries) >= MAX_ENTRIES:
        raise Conflict("disputes.too_many_entries", limit=MAX_ENTRIES)
    target = to_status or dispute.status
    entry = _entry(dispute, at=at, event=event, actor=actor, to_status=target, reason=reason, data=data)
    platform = update.get("platform", dispute.platform)
    due = _due(target, at, platform) if target != dispute.status or "platform" in update else dispute.due_at
    return dispute.model_copy(update={"status": target, "version": entry.seq, "head_hash": entry.hash,
                                      "entries": [*dispute.entries, entry], "updated_at": at, "due_at": due,
                                      **update})


def _move(dispute: Dispute, target: DisputeStatus, actor: Actor) -> Move:
    move = find(dispute.status, target)
    if move is None:
        raise IllegalTransition("disputes.illegal_transition", status=dispute.status.value, to=target.value,
                                allowed=allowed(dispute, actor))
    if not actor.roles & move.roles:
        raise Forbidden("error.role_not_permitted", to=target.value, required=sorted(r.value for r in move.roles))
    if actor.is_customer and actor.customer_id != dispute.customer_id:
        raise Forbidden("disputes.not_yours")
    return move


def _evidence(actor: Actor, text: str | None, media_ids: Sequence[str], at: datetime) -> Evidence:
    return Evidence(by=actor.id, role=actor.primary_role.value, text=text, media_ids=list(dict.fromkeys(media_ids)),
                    at=at)


def raise_dispute(*, dispute_id: str, tenant_id: str, ticket: Ticket, entries: Sequence[AuditEntry], actor: Actor,
                  at: datetime, text: str, media_ids: Sequence[str] = ()) -> Dispute:
    """A customer (or the storefront / a channel on their behalf) contests the ticket's decision."""
    if not actor.roles & CUSTOMER_SIDE and Role.SYSTEM not in actor.roles:
        raise Forbidden("error.role_not_permitted", required=sorted(r.value for r in CUSTOMER_SIDE))
    if actor.is_customer and actor.customer_id != ticket.customer_id:
        raise Forbidden("disputes.not_yours")
    subject = disputable(ticket, entries)
    evidence = [_evidence(actor, text, media_ids, at)]
    return _opened(dispute_id=dispute_id, tenant_id=tenant_id, ticket=ticket, source=Source.CUSTOMER,
                   subject=subject, actor=actor, at=at, text=text, evidence=evidence,
                   deciders=ticket_deciders(entries), data={"subject": subject.value, "media_ids": list(media_ids)})


def open_platform_case(*, dispute_id: str, tenant_id: str, ticket: Ticket, entries: Sequence[AuditEntry],
                       case: PlatformCase, actor: Actor, at: datetime) -> Dispute:
    """A payment platform's dispute (a chargeback) joins the record of the ticket its payment belongs to."""
    if Role.SYSTEM not in actor.roles:
        raise Forbidden("error.role_not_permitted", required=[Role.SYSTEM.value])
    return _opened(dispute_id=dispute_id, tenant_id=tenant_id, ticket=ticket, source=Source(case.provider),
                   subject=Subject.CHARGEBACK, actor=actor, at=at, text=case.reason, evidence=[],
                   deciders=ticket_deciders(entries), platform=case,
                   data={"provider": case.provider, "case_id": case.case_id, "status": case.status,
                         "amount": case.amount.model_dump(), "evidence_due_by": iso(case.evidence_due_by)
                         if case.evidence_due_by else None})


def _opened(*, dispute_id: str, tenant_id: str, ticket: Ticket, source: Source, subject: Subject, actor: Actor,
            at: datetime, text: str | None, evidence: list[Evidence], deciders: frozenset[str],
            data: dict[str, Any], platform: PlatformCase | None = None) -> Dispute:
    entry = _entry(None, at=at, event=CREATED_EVENT, actor=actor, to_status=D.RAISED, reason=subject.value,
                   data={"ticket_id": ticket.id, **data})
    return Dispute(id=dispute_id, tenant_id=tenant_id, ticket_id=ticket.id, order_id=ticket.order_id,
                   customer_id=ticket.customer_id, source=source, subject=subject, status=D.RAISED, version=1,
                   raised_by=actor.id, raised_at=at, text=text, evidence=evidence,
                   due_at=_due(D.RAISED, at, platform), ticket_deciders=sorted(deciders), platform=platform,
                   entries=[entry], head_hash=entry.hash, updated_at=at)


def check_arbiter(dispute: Dispute, actor: Actor, deciders: Iterable[str] = ()) -> None:
    """Forbidden unless `actor` may arbitrate this dispute: not a decider of the ticket (as recorded
    when the dispute was raised, and as read now), not who raised it, not the customer."""
    barred = {*dispute.ticket_deciders, *deciders, dispute.raised_by, dispute.customer_id}
    if actor.id in barred:
        raise Forbidden("disputes.decider_cannot_arbitrate", dispute_id=dispute.id)


def take_up(dispute: Dispute, *, actor: Actor, at: datetime, deciders: Iterable[str] = ()) -> Dispute:
    """An arbitrator takes the dispute (or its appeal) up: under review, assigned to them."""
    move = _move(dispute, D.UNDER_REVIEW, actor)
    if move.source not in (D.RAISED, D.APPEALED):
        raise IllegalTransition("disputes.illegal_transition", status=dispute.status.value,
                                to=D.UNDER_REVIEW.value, allowed=allowed(dispute, actor))
    check_arbiter(dispute, actor, deciders)
    if dispute.status == D.APPEALED:
        _check_second_arbiter(dispute, actor)
    return _record(dispute, at=at, event=move.event, actor=actor, to_status=D.UNDER_REVIEW,
                   data={"assignee_id": actor.id}, assignee_id=actor.id)


def _check_second_arbiter(dispute: Dispute, actor: Actor) -> None:
    if any(d.by == actor.id for d in dispute.decisions):
        raise Forbidden("disputes.appeal_needs_another_arbitrator", dispute_id=dispute.id)


def request_evidence(dispute: Dispute, *, actor: Actor, at: datetime, reason: str,
                     deciders: Iterable[str] = ()) -> Dispute:
    move = _move(dispute, D.AWAITING_EVIDENCE, actor)
    check_arbiter(dispute, actor, deciders)
    return _record(dispute, at=at, event=move.event, actor=actor, to_status=D.AWAITING_EVIDENCE, reason=reason)


def add_evidence(dispute: Dispute, *, actor: Actor, at: datetime, text: str | None,
                 media_ids: Sequence[str]) -> Dispute:
    """The customer's side adds text or media: asked for (awaiting_evidence -> under_review), or
    while the dispute is open (an entry, no move)."""
    if not text and not media_ids:
        raise InvalidRequest("disputes.evidence_empty", field="text")
    if not actor.roles & CUSTOMER_SIDE:
        raise Forbidden("error.role_not_permitted", required=sorted(r.value for r in CUSTOMER_SIDE))
    if actor.is_customer and actor.customer_id != dispute.customer_id:
        raise Forbidden("disputes.not_yours")
    if dispute.status in (D.DECIDED, D.CLOSED):
        raise IllegalTransition("disputes.closed_to_evidence", status=dispute.status.value,
                                allowed=allowed(dispute, actor))
    if len(dispute.evidence) >= MAX_EVIDENCE:
        raise Conflict("disputes.too_much_evidence", limit=MAX_EVIDENCE)
    evidence = [*dispute.evidence, _evidence(actor, text, media_ids, at)]
    data = {"media_ids": list(media_ids)}
    if dispute.status == D.AWAITING_EVIDENCE:
        move = _move(dispute, D.UNDER_REVIEW, actor)
        return _record(dispute, at=at, event=move.event, actor=actor, to_status=D.UNDER_REVIEW, data=data,
                       evidence=evidence)
    return _record(dispute, at=at, event="dispute.evidence_added", actor=actor, data=data, evidence=evidence)


def decide(dispute: Dispute, outcome: Outcome, *, actor: Actor, at: datetime, reason: str, remedy: Remedy,
           deciders: Iterable[str] = ()) -> Dispute:
    """An arbitrator decides. Never a decider of the ticket (separation of duties), never the first
    arbitrator again on appeal; a platform's case is decided by the platform (decide_by_platform)."""
    move = _move(dispute, D.DECIDED, actor)
    if not actor.roles & ARBITERS:
        raise Forbidden("error.role_not_permitted", required=sorted(r.value for r in ARBITERS))
    if dispute.platform is not None:
        raise Forbidden("disputes.platform_decides", provider=dispute.platform.provider)
    check_arbiter(dispute, actor, deciders)
    on_appeal = dispute.appeals > 0
    if on_appeal:
        _check_second_arbiter(dispute, actor)
    if outcome == Outcome.DISMISSED:
        remedy = Remedy.NONE
    decision = Decision(outcome=outcome, reason=reason, by=actor.id, role=actor.primary_role.value, at=at,
                        remedy=remedy, on_appeal=on_appeal)
    return _record(dispute, at=at, event=move.event, actor=actor, to_status=D.DECIDED, reason=reason,
                   data={"outcome": outcome.value, "remedy": remedy.value, "on_appeal": on_appeal},
                   decisions=[*dispute.decisions, decision], assignee_id=actor.id)


def remedy_for(ticket_status: Status) -> Remedy:
    """What upholding a dispute does to its ticket, as the ticket stands: a rejected ticket goes
    back to approval; an open one gets a note for staff; a closed one is left as it is (the
    decision stays on the dispute)."""
    if ticket_status == Status.REJECTED:
        return Remedy.REOPEN_FOR_APPROVAL
    return Remedy.NONE if ticket_status in TERMINAL_STATUSES else Remedy.NOTED_FOR_STAFF


def appeal(dispute: Dispute, *, actor: Actor, at: datetime, text: str, media_ids: Sequence[str] = ()) -> Dispute:
    """The customer's side appeals a decision, once, within the appeal window."""
    move = _move(dispute, D.APPEALED, actor)
    if dispute.source != Source.CUSTOMER:
        raise Forbidden("disputes.platform_case_no_appeal")
    if dispute.appeals >= MAX_APPEALS:
        raise Conflict("disputes.appeal_used", dispute_id=dispute.id, limit=MAX_APPEALS)
    decided = dispute.decision
    if decided is not None and at > decided.at + APPEAL_WINDOW:
        raise Conflict("disputes.appeal_window_over", dispute_id=dispute.id)
    evidence = [*dispute.evidence, _evidence(actor, text, media_ids, at)]
    return _record(dispute, at=at, event=move.event, actor=actor, to_status=D.APPEALED, reason=text[:200],
                   data={"media_ids": list(media_ids)}, appeals=dispute.appeals + 1, evidence=evidence,
                   assignee_id=None)


def close(dispute: Dispute, *, actor: Actor, at: datetime, reason: str | None = None) -> Dispute:
    """Withdrawn by the customer's side before a decision, or closed after one."""
    move = _move(dispute, D.CLOSED, actor)
    return _record(dispute, at=at, event=move.event, actor=actor, to_status=D.CLOSED, reason=reason)


# ---------------------------------------------------------------------- the platform's case
# the merchant kept the money: Stripe's won / warning_closed; Douyin's buyer withdrew the arbitration (215)
PLATFORM_WON = frozenset({"won", "warning_closed", "arbitration_cancelled"})
PLATFORM_LOST = frozenset({"lost"})


def platform_update(dispute: Dispute, case: PlatformCase, *, event_id: str, actor: Actor, at: datetime,
                    event: str = "dispute.platform_updated") -> Dispute:
    """The platform's case changed (status, due date, funds): recorded once per provider event; a
    closed case (won / lost) decides the dispute as the platform ruled."""
    if Role.SYSTEM not in actor.roles:
        raise Forbidden("error.role_not_permitted", required=[Role.SYSTEM.value])
    current = dispute.platform
    if current is None or current.case_id != case.case_id:
        raise Conflict("disputes.other_platform_case", case_id=case.case_id)
    if event_id in current.events:
        return dispute  # a replayed webhook
    merged = case.model_copy(update={"events": [*current.events, event_id][-50:],
                                     "submitted": current.submitted or case.submitted,
                                     "funds": _merge_funds(current, case)})
    data = {"event_id": event_id, "status": merged.status,
            "evidence_due_by": iso(merged.evidence_due_by) if merged.evidence_due_by else None,
            "funds": [f.model_dump(mode="json") for f in merged.funds[len(current.funds):]]}
    changed = _record(dispute, at=at, event=event, actor=actor, data=data, platform=merged)
    if merged.status in PLATFORM_WON | PLATFORM_LOST and find(changed.status, D.DECIDED) is not None:
        outcome = Outcome.UPHELD if merged.status in PLATFORM_LOST else Outcome.DISMISSED
        decision = Decision(outcome=outcome, reason=f"{merged.provider}:{merged.status}", by=actor.id,
                            role=actor.primary_role.value, at=at)
        changed = _record(changed, at=at, event="dispute.decided", actor=actor, to_status=D.DECIDED,
                          reason=decision.reason, data={"outcome": outcome.value, "remedy": Remedy.NONE.value,
                                                        "by_platform": merged.provider},
                          decisions=[*changed.decisions, decision])
    return changed


def _merge_funds(current: PlatformCase, case: PlatformCase) -> list:
    seen = {(f.kind, f.provider_id) for f in current.funds}
    return [*current.funds, *(f for f in case.funds if (f.kind, f.provider_id) not in seen)]


def evidence_submitted(dispute: Dispute, *, actor: Actor, at: datetime, submit: bool, fields: Sequence[str]
                       ) -> Dispute:
    """The evidence pack was sent to the platform (staged, or submitted for its decision)."""
    if not actor.roles & ARBITERS:
        raise Forbidden("error.role_not_permitted", required=sorted(r.value for r in ARBITERS))
    if dispute.platform is None:
        raise Conflict("disputes.not_a_platform_case")
    if dispute.platform.submitted:
        raise Conflict("disputes.evidence_already_submitted", case_id=dispute.platform.case_id)
    platform = dispute.platform.model_copy(update={"submitted": submit})
    return _record(dispute, at=at, event="dispute.evidence_sent", actor=actor,
                   data={"submit": submit, "fields": sorted(fields)}, platform=platform)
