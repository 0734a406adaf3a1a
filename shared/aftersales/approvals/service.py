"""Approval use cases: route a ticket, open/escalate reviews, take decisions, apply them to the
ticket, and edit/dry-run/simulate/publish the tenant's policy.

The Step Functions approval flow calls `route`, `open_review`, `escalate` and `apply_outcome`;
approvers call `decide` through the API, which resumes the flow (SendTaskSuccess) once the
review is over. Ticket changes only go through TicketService with the deciding approver (or
Role.SYSTEM for automatic routes).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from aftersales.core.clock import Clock, iso
from aftersales.core.drafts import Drafts, DraftStore
from aftersales.core.errors import Conflict, Forbidden, InvalidRequest, NotFound
from aftersales.core.money import Money
from aftersales.risk.counters import window_total
from aftersales.risk.scoring import RiskAssessment
from aftersales.risk.service import RiskService, ticket_risk_keys
from aftersales.risk.signals import Dimension
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import Role as TicketRole
from aftersales.tickets.model import Status
from aftersales.tickets.ports import TicketRecords
from aftersales.tickets.service import TicketService
from aftersales.tickets.warrants import ApprovalRecord, ReviewerDecision

from .defaults import POLICY
from .facts import HistoryWindow, ProductFacts, RiskView, TicketFacts
from .policy import ApprovalPolicy, Route
from .ports import ReviewStore, TaskResumer
from .review import ReviewDecision, ReviewState
from .review import Role as ReviewRole
from .routing import RoutingDecision, explain, route
from .simulation import SimulationReport, simulate

REVIEW_ROLES = frozenset(r.value for r in ReviewRole)
SYSTEM = Actor(id="approval-workflow", roles=frozenset({TicketRole.SYSTEM}))
FACT_TYPES = {"return_refund": "return"}
MAX_SIMULATION_TICKETS = 1000


class ApprovalService:
    def __init__(self, tickets: TicketService, ticket_store: TicketRecords, risk: RiskService,
                 policies: DraftStore[ApprovalPolicy], reviews: ReviewStore, resumer: TaskResumer,
                 clock: Clock) -> None:
        self._tickets = tickets
        self._ticket_store = ticket_store
        self._risk = risk
        self._drafts = Drafts(policies, POLICY)
        self._reviews = reviews
        self._resumer = resumer
        self._clock = clock

    # ------------------------------------------------------------------ facts and routing
    def policy(self, tenant_id: str) -> ApprovalPolicy:
        return self._drafts.published(tenant_id)

    def assess_risk(self, tenant_id: str, ticket_id: str, actor: Actor) -> RiskAssessment:
        """The ticket's refund-abuse score and reasons, as the approval routing sees them (staff)."""
        if actor.is_customer:
            raise Forbidden("error.role_not_permitted")
        ticket = self._tickets.get(tenant_id, ticket_id, actor)
        stored = self._ticket_store.get_order(tenant_id, ticket.order_id)
        if stored is None:
            raise NotFound("error.order_not_found", order_id=ticket.order_id)
        keys = ticket_risk_keys(self._ticket_store.audit_entries(tenant_id, ticket_id))
        return self._risk.assess(tenant_id, ticket.customer_id, stored.order, keys=keys)

    def facts(self, tenant_id: str, ticket: Ticket, windows: Iterable[int]) -> TicketFacts:
        return self._assessed(tenant_id, ticket, windows, self._clock.now())[0]

    def _assessed(self, tenant_id: str, ticket: Ticket, windows: Iterable[int], now: datetime
                  ) -> tuple[TicketFacts, RiskAssessment]:
        """The routing facts and the risk assessment they were made from."""
        stored = self._ticket_store.get_order(tenant_id, ticket.order_id)
        if stored is None:
            raise NotFound("error.order_not_found", order_id=ticket.order_id)
        order = stored.order
        entries = self._ticket_store.audit_entries(tenant_id, ticket.id)
        assessment = self._risk.assess(tenant_id, ticket.customer_id, order, now, keys=ticket_risk_keys(entries))
        state = self._risk.counters(tenant_id, Dimension.ACCOUNT, ticket.customer_id)
        currency = ticket.requested_amount.currency
        history = []
        for days in sorted(set(windows)):
            totals = window_total(state, now, min(days, state.retention_days))
            history.append(HistoryWindow(days=days, count=totals.tickets,
                                         amount=totals.refunded.get(currency, Money.zero(currency))))
        lines = tuple(ProductFacts(product_type=(o.product_type or "unknown"), category=(o.category or "unknown"))
                      for o in (order.line(ln.line_id) for ln in ticket.lines) if o is not None)
        facts = TicketFacts(
            ticket_id=ticket.id, requester_id=entries[0].actor_id if entries else ticket.customer_id,
            ticket_type=FACT_TYPES.get(ticket.type.value, ticket.type.value), channel=ticket.channel.value,
            customer_tier=order.customer.tier, amount=ticket.requested_amount, lines=lines,
            history=tuple(history),
            risk=RiskView(score=assessment.score, flags=assessment.flags,
                          suspected_abuse=assessment.suspected_abuse))
        return facts, assessment

    def _requester(self, tenant_id: str, ticket: Ticket) -> str:
        """Who opened the ticket: kept on it since `requested_by` exists, else its first audit entry."""
        if ticket.requested_by is not None:
            return ticket.requested_by
        entries = self._ticket_store.audit_entries(tenant_id, ticket.id)
        return entries[0].actor_id if entries else ticket.customer_id

    def route(self, tenant_id: str, ticket_id: str) -> RoutingDecision:
        """The flow's first step. The ticket keeps the risk assessment its route was decided on (the
        queue filters and badges by it; TicketService.record_risk writes only a changed result)."""
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        policy = self.policy(tenant_id)
        now = self._clock.now()
        facts, assessment = self._assessed(tenant_id, ticket, policy.history_windows(), now)
        decision = route(policy, facts)
        self._tickets.record_risk(tenant_id, ticket, assessment.summary(iso(now)), SYSTEM)
        return decision

    # ------------------------------------------------------------------ reviews
    def open_review(self, tenant_id: str, ticket_id: str, routing: RoutingDecision, task_token: str) -> ReviewState:
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        state = ReviewState.open(tenant_id, ticket_id, self._requester(tenant_id, ticket), routing)
        found = self._reviews.get_with_token(tenant_id, ticket_id)
        generation = (found[2] + 1) if found else 1
        self._reviews.open(state, task_token, generation)
        return state

    def escalate(self, tenant_id: str, ticket_id: str, task_token: str) -> ReviewState:
        """The review timed out: a supervisor decides now (earlier approvals are kept in the audit of
        the old review only; the supervisor review starts clean)."""
        found = self._reviews.get_with_token(tenant_id, ticket_id)
        if found is None:
            raise NotFound("approvals.review_not_found", ticket_id=ticket_id)
        old, _token, generation = found
        routing = RoutingDecision(route=Route.SUPERVISOR, rule_id=old.rule_id, reasons=(),
                                  requires_finance=False, policy_version=0)
        state = ReviewState.open(tenant_id, ticket_id, old.requester_id, routing)
        self._reviews.open(state, task_token, generation + 1)
        return state

    def review(self, tenant_id: str, ticket_id: str) -> ReviewState:
        found = self._reviews.get_with_token(tenant_id, ticket_id)
        if found is None:
            raise NotFound("approvals.review_not_found", ticket_id=ticket_id)
        return found[0]

    def decide(self, tenant_id: str, ticket_id: str, approver: Actor, verdict: str, comment: str) -> ReviewState:
        found = self._reviews.get_with_token(tenant_id, ticket_id)
        if found is None:
            raise NotFound("approvals.review_not_found", ticket_id=ticket_id)
        state, token, generation = found
        role = _review_role(approver, state, verdict)
        decided = state.decide(approver.id, role, verdict, comment, self._clock.now())  # type: ignore[arg-type]
        self._reviews.save(decided, len(state.decisions), generation)  # loser of a race: 409
        if decided.status != "pending":
            if token is None:
                raise Conflict("approvals.review_not_resumable", ticket_id=ticket_id)
            self._resumer.succeed(token, {"status": decided.status, "review": decided.model_dump(mode="json")})
        return decided

    def apply_outcome(self, tenant_id: str, ticket_id: str, outcome: dict[str, Any]) -> Ticket:
        """pending_approval -> approved | rejected, by the last decider (or SYSTEM for auto/block).
        A human route's decisions are read back from the review store, never taken from the
        workflow's payload: the ticket domain checks them (tickets/warrants.py) as it moves."""
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        target = Status.APPROVED if outcome["status"] == "approved" else Status.REJECTED
        if ticket.status != Status.PENDING_APPROVAL:
            return ticket  # a retried task
        route_name = outcome.get("route") or ((outcome.get("review") or {}).get("route"))
        actor, reason = SYSTEM, outcome.get("reason")
        if route_name in (Route.AUTO_APPROVE.value, Route.BLOCK.value):
            record = ApprovalRecord(outcome=target.value, route=route_name, requester_id=self._requester(
                tenant_id, ticket), rule_id=outcome.get("rule_id"), policy_version=outcome.get("policy_version"))
            decisions: tuple[ReviewDecision, ...] = ()
        else:
            state = self.review(tenant_id, ticket_id)
            if state.status != outcome["status"]:
                raise Conflict("approvals.review_outcome_mismatch", ticket_id=ticket_id, status=state.status)
            decisions = state.decisions
            record = _record(state)
            last = decisions[-1]
            # The workflow applies the review's outcome on the approver's behalf: the audit shows the
            # approver and their role (primary role), SYSTEM only authorises the step (e.g. finance).
            actor = Actor(id=last.approver_id, roles=frozenset({TicketRole(last.role.value), TicketRole.SYSTEM}))
            reason = last.comment or reason
        data = {"route": record.route, "rule_id": record.rule_id, "policy_version": outcome.get("policy_version"),
                "decisions": [d.model_dump(mode="json", include={"approver_id", "role", "verdict", "comment",
                                                                 "decided_at", "rule_id"}) for d in decisions]}
        return self._tickets.transition(tenant_id, ticket_id, target, actor, reason=reason, data=data,
                                        warrant=record)

    def approve_on_timeout(self, tenant_id: str, ticket_id: str, reason: str, data: dict[str, Any]) -> Ticket:
        """An SLA default action approves a small request nobody reviewed in time. Never for a route
        that needs a senior or a second person: those escalate, they do not approve themselves."""
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        found = self._reviews.get_with_token(tenant_id, ticket_id)
        if found is not None and found[0].route is not Route.SINGLE_REVIEW:
            raise Forbidden("approvals.timeout_cannot_approve_route", route=found[0].route.value)
        record = ApprovalRecord(outcome="approved", route="timeout_default",
                                requester_id=self._requester(tenant_id, ticket))
        return self._tickets.transition(tenant_id, ticket_id, Status.APPROVED, SYSTEM, reason=reason,
                                        data={**data, "route": record.route}, warrant=record)

    # ------------------------------------------------------------------ policies
    def draft(self, tenant_id: str) -> tuple[ApprovalPolicy, int]:
        return self._drafts.draft(tenant_id)

    def put_draft(self, tenant_id: str, document: dict[str, Any], expected_revision: int | None
                  ) -> tuple[ApprovalPolicy, int]:
        return self._drafts.put_draft(tenant_id, document, expected_revision)

    def publish(self, tenant_id: str) -> ApprovalPolicy:
        return self._drafts.publish(tenant_id)

    def policy_version(self, tenant_id: str, version: int) -> ApprovalPolicy:
        return self._drafts.version(tenant_id, version)

    def policy_versions(self, tenant_id: str, limit: int) -> list[int]:
        return self._drafts.versions(tenant_id, limit)

    def roll_back(self, tenant_id: str, version: int) -> ApprovalPolicy:
        return self._drafts.roll_back(tenant_id, version)

    def dry_run(self, tenant_id: str, ticket_id: str, policy: ApprovalPolicy | None = None) -> dict[str, Any]:
        policy = policy or self.draft(tenant_id)[0]
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        facts = self.facts(tenant_id, ticket, policy.history_windows())
        decision = route(policy, facts)
        return {"ticket_id": ticket_id, "policy_version": policy.version, "policy_status": policy.status,
                "decision": decision.model_dump(mode="json"),
                "rules": [{"rule_id": e.rule_id, "matched": e.matched, "failed_conditions": list(e.failed_conditions)}
                          for e in explain(policy, facts)],
                "facts": facts.model_dump(mode="json", exclude={"requester_id"})}

    def simulate(self, tenant_id: str, last: int, policy: ApprovalPolicy | None = None) -> SimulationReport:
        if not 1 <= last <= MAX_SIMULATION_TICKETS:
            raise InvalidRequest("approvals.simulation_size", field="last", max=MAX_SIMULATION_TICKETS)
        policy = policy or self.draft(tenant_id)[0]
        windows = policy.history_windows()
        return simulate(policy, (self.facts(tenant_id, t, windows) for t in self.recent(tenant_id, last)))

    def recent(self, tenant_id: str, last: int) -> list[Ticket]:
        """The tenant's newest tickets through the gsi1 query (pages of up to 100; no scan)."""
        tickets: list[Ticket] = []
        cursor = None
        while len(tickets) < last:
            page = self._ticket_store.list_tickets(tenant_id, customer_id=None, status=None,
                                                   limit=min(100, last - len(tickets)), cursor=cursor)
            tickets.extend(page.items)
            cursor = page.cursor
            if not cursor:
                break
        return tickets[:last]


def _record(state: ReviewState) -> ApprovalRecord:
    return ApprovalRecord(outcome="approved" if state.status == "approved" else "rejected", route=state.route.value,
                          requester_id=state.requester_id, rule_id=state.rule_id,
                          decisions=tuple(ReviewerDecision(approver_id=d.approver_id, role=d.role.value,
                                                           verdict=d.verdict) for d in state.decisions))


def _review_role(approver: Actor, state: ReviewState, verdict: str) -> ReviewRole:
    mine = [ReviewRole(r.value) for r in sorted(approver.roles) if r.value in REVIEW_ROLES]
    if not mine:
        raise Forbidden("approvals.role_not_allowed", role=approver.primary_role.value,
                        allowed=sorted(r.value for r in state.eligible_roles(verdict)))  # type: ignore[arg-type]
    eligible = state.eligible_roles(verdict)  # type: ignore[arg-type]
    return next((r for r in mine if r in eligible), mine[0])


def auto_outcome(decision: RoutingDecision) -> dict[str, Any]:
    status = "approved" if decision.route is Route.AUTO_APPROVE else "rejected"
    return {"status": status, "route": decision.route.value, "rule_id": decision.rule_id,
            "policy_version": decision.policy_version,
            "reason": "auto_approved" if status == "approved" else "blocked_by_policy"}


