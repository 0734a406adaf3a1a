"""Eligibility use cases: triage a new ticket (the ticket.created consumer), explain a ticket's
checks, and edit / dry-run / publish the tenant's intake rules.

Triage writes exactly one audit entry, carrying the evaluation (every check, its verdict and reason
id) under `data.eligibility`:
* eligible and routed   -> submitted -> pending_approval as SYSTEM (the approval policy decides next)
* ineligible, refused   -> submitted -> rejected as SYSTEM with the eligibility warrant, the reason id
                           as the entry's reason (rendered in the customer's language on read)
* anything else         -> a `ticket.eligibility_checked` note; the ticket stays for an agent
A ticket that is no longer submitted, or already carries an evaluation, is left alone, so a
redelivered event moves nothing twice.
"""

from __future__ import annotations

from typing import Any

from aftersales.core.clock import Clock
from aftersales.core.drafts import Drafts, DraftStore
from aftersales.core.errors import IllegalTransition, InvalidRequest, NotFound
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import Role, Status
from aftersales.tickets.ports import TicketRecords
from aftersales.tickets.service import TicketService
from aftersales.tickets.warrants import PLATFORM_CHANNELS, EligibilityRefusal

from .checks import Action, Evaluation, evaluate
from .defaults import RULES
from .rules import IntakeRules

SYSTEM = Actor(id="eligibility-triage", roles=frozenset({Role.SYSTEM}))
CHECKED_EVENT = "ticket.eligibility_checked"
DATA_KEY = "eligibility"
MAX_DRY_RUN_TICKETS = 200


class EligibilityService:
    def __init__(self, tickets: TicketService, records: TicketRecords, rules: DraftStore[IntakeRules],
                 clock: Clock) -> None:
        self._tickets = tickets
        self._records = records
        self._drafts = Drafts(rules, RULES)
        self._clock = clock

    # ------------------------------------------------------------------ evaluation
    def rules(self, tenant_id: str) -> IntakeRules:
        return self._drafts.published(tenant_id)

    def evaluate(self, tenant_id: str, ticket: Ticket, rules: IntakeRules | None = None) -> Evaluation | None:
        """None when the ticket is not checked: a complaint, or an after-sale the sales platform owns."""
        if ticket.channel in PLATFORM_CHANNELS.values():
            return None
        stored = self._records.get_order(tenant_id, ticket.order_id)
        if stored is None:
            raise NotFound("error.order_not_found", order_id=ticket.order_id)
        siblings = [self._tickets.get(tenant_id, other, SYSTEM) for other in sorted(stored.ticket_ids)
                    if other != ticket.id]
        return evaluate(rules or self.rules(tenant_id), ticket, stored.order, siblings, self._clock.now())

    def triage(self, tenant_id: str, ticket_id: str) -> str:
        """What happened: routed | rejected | left_for_agent | not_checked | already_triaged."""
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        if ticket.status is not Status.SUBMITTED or recorded(self._records.audit_entries(tenant_id, ticket_id)):
            return "already_triaged"
        evaluation = self.evaluate(tenant_id, ticket)
        if evaluation is None:
            return "not_checked"
        data = {DATA_KEY: evaluation.model_dump(mode="json")}
        try:
            if evaluation.action is Action.ROUTE:
                self._tickets.transition(tenant_id, ticket_id, Status.PENDING_APPROVAL, SYSTEM,
                                         reason=evaluation.reason, data=data)
                return "routed"
            if evaluation.action is Action.REJECT:
                warrant = EligibilityRefusal(rules_version=evaluation.rules_version, rule_id=evaluation.rule_id,
                                             failed_checks=evaluation.failed)
                self._tickets.transition(tenant_id, ticket_id, Status.REJECTED, SYSTEM, reason=evaluation.reason,
                                         data=data, warrant=warrant)
                return "rejected"
            self._tickets.note(tenant_id, ticket_id, CHECKED_EVENT, SYSTEM, reason=evaluation.reason, data=data)
            return "left_for_agent"
        except IllegalTransition:
            return "already_triaged"  # someone moved it meanwhile (a person, or a redelivery that won)

    def of_ticket(self, tenant_id: str, ticket_id: str, actor: Actor) -> tuple[Ticket, dict[str, Any] | None, bool]:
        """The ticket, its evaluation and whether it is the one recorded at triage (else evaluated now
        with the published rules, nothing written). None for a ticket that is not checked."""
        ticket = self._tickets.get(tenant_id, ticket_id, actor)
        found = recorded(self._records.audit_entries(tenant_id, ticket_id))
        if found is not None:
            return ticket, found, True
        evaluation = self.evaluate(tenant_id, ticket)
        return ticket, evaluation.model_dump(mode="json") if evaluation else None, False

    # ------------------------------------------------------------------ rules
    def draft(self, tenant_id: str) -> tuple[IntakeRules, int]:
        return self._drafts.draft(tenant_id)

    def put_draft(self, tenant_id: str, document: dict[str, Any], expected_revision: int | None
                  ) -> tuple[IntakeRules, int]:
        """Validates (InvalidRequest naming the field) and stores the draft."""
        return self._drafts.put_draft(tenant_id, document, expected_revision)

    def publish(self, tenant_id: str) -> IntakeRules:
        return self._drafts.publish(tenant_id)

    def rules_version(self, tenant_id: str, version: int) -> IntakeRules:
        return self._drafts.version(tenant_id, version)

    def rules_versions(self, tenant_id: str, limit: int) -> list[int]:
        return self._drafts.versions(tenant_id, limit)

    def roll_back(self, tenant_id: str, version: int) -> IntakeRules:
        return self._drafts.roll_back(tenant_id, version)

    def dry_run(self, tenant_id: str, ticket_ids: list[str], last: int) -> dict[str, Any]:
        """The draft's verdict on the given tickets (or the newest `last`), next to the published one's."""
        if not 1 <= (len(ticket_ids) or last) <= MAX_DRY_RUN_TICKETS:
            raise InvalidRequest("eligibility.dry_run_size", field="ticket_ids" if ticket_ids else "last",
                                 max=MAX_DRY_RUN_TICKETS)
        draft, published = self.draft(tenant_id)[0], self.rules(tenant_id)
        tickets = ([self._tickets.get(tenant_id, t, SYSTEM) for t in dict.fromkeys(ticket_ids)] if ticket_ids
                   else self._recent(tenant_id, last))
        results, by_outcome, changed = [], {}, 0
        for ticket in tickets:
            mine, theirs = self.evaluate(tenant_id, ticket, draft), self.evaluate(tenant_id, ticket, published)
            if mine is None:
                continue
            by_outcome[mine.outcome.value] = by_outcome.get(mine.outcome.value, 0) + 1
            differs = theirs is None or (mine.outcome, mine.action) != (theirs.outcome, theirs.action)
            changed += differs
            results.append({"ticket_id": ticket.id, "draft": mine.model_dump(mode="json"),
                            "published_outcome": theirs.outcome.value if theirs else None, "changed": differs})
        return {"rules_version": draft.version, "published_version": published.version, "total": len(results),
                "by_outcome": by_outcome, "changed": changed, "tickets": results}

    def _recent(self, tenant_id: str, last: int) -> list[Ticket]:
        tickets: list[Ticket] = []
        cursor = None
        while len(tickets) < last:
            page = self._records.list_tickets(tenant_id, customer_id=None, status=None,
                                              limit=min(100, last - len(tickets)), cursor=cursor)
            tickets.extend(page.items)
            cursor = page.cursor
            if not cursor:
                break
        return tickets[:last]


def recorded(entries: list[AuditEntry]) -> dict[str, Any] | None:
    """The evaluation written at triage, if any (the newest)."""
    return next(((e.data or {})[DATA_KEY] for e in reversed(entries) if DATA_KEY in (e.data or {})), None)
