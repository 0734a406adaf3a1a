"""SLA use cases: policy and calendars, deadline tracking from ticket history, the sweep, figures.

Deadlines are recomputed from (policy, calendars, audit history) on every ticket event; a state per
deadline keeps the stages already fired and sits in the due index under the bucket of its next
stage. The sweep reads only the buckets since its last run; each stage is claimed with a
conditional put before it is acted on, so late or repeated sweeps never act twice.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from aftersales.analytics.ports import TenantZones
from aftersales.core.clock import Clock, iso
from aftersales.core.errors import (
    ConcurrentModification,
    DomainError,
    Forbidden,
    IllegalTransition,
    InvalidRequest,
    NotFound,
)
from aftersales.dispatch.service import DispatchService
from aftersales.events.ports import EventPublisher
from aftersales.sla.calendar import BusinessCalendar
from aftersales.sla.deadlines import BREACH_STAGE, Deadline
from aftersales.sla.due_index import buckets_between, index_bucket
from aftersales.sla.figure_days import (
    DayBucket,
    ZonedFigures,
    bucket_delta,
    compliance_of,
    contribution,
    ranking_of,
    timeouts_of,
)
from aftersales.sla.figures import ComplianceFigures, DailyTimeouts, ResponsibleFigures, SlaOutcome
from aftersales.sla.history import history_from_audit
from aftersales.sla.policy import (
    AutoApproveRefundUnderCap,
    CloseTicket,
    IssueCompensationCoupon,
    PolicyIssue,
    PolicyRejected,
    RedispatchRepair,
    SlaPolicy,
    TicketFacts,
    validate_policy,
)
from aftersales.sla.ports import (
    OutcomeConflict,
    RecomputePages,
    RepairRedispatcher,
    SlaStore,
    TimeoutApprover,
)
from aftersales.sla.repair_targets import with_repair_defaults
from aftersales.sla.stages import Action, DeadlineState, carry_over, due_actions, next_due_at, record_fired
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import TERMINAL_STATUSES, Role, Status, TicketType
from aftersales.tickets.service import TicketService

logger = logging.getLogger("aftersales.sla")
SLA_SOURCE = "aftersales.sla"
SLA_ENGINE = Actor(id="sla-engine", roles=frozenset({Role.SYSTEM}))
FIRST_SWEEP_LOOKBACK = timedelta(days=1)
MAX_CLOCKS = 100  # tickets per clocks read: one BatchGetItem
RECOMPUTE_PAGE_SIZE = 100  # open tickets recomputed per tracker message after a policy/calendar change
OUTCOME_ATTEMPTS = 5  # conditional outcome writes retried on a concurrent save (or a busy day bucket)
MAX_FIGURE_DAYS = 92
# Stages measured from the due moment: shifted together when a breach may not be back-dated.
_AFTER_DUE = ("breach", "escalate", "default_action")


@dataclass(frozen=True)
class BackfillStep:
    counted: int
    day: date | None  # the UTC day the next step reads; None: done
    cursor: str | None

    @property
    def done(self) -> bool:
        return self.day is None


@dataclass
class SweepReport:
    buckets: list[str]
    items_read: int = 0
    actions_fired: int = 0
    already_fired: int = 0
    failures: int = 0
    fired: list[str] = field(default_factory=list)


def _apply_floor(deadline: Deadline, floor: datetime | None) -> Deadline:
    """No breach before `floor` (the moment a policy change made the deadline already overdue):
    the breach and every stage after it move by the same amount, so breach = floor."""
    if floor is None or deadline.due_at is None or deadline.due_at >= floor:
        return deadline
    shift = floor - deadline.due_at
    stages = tuple(s.model_copy(update={"at": s.at + shift}) if s.at is not None and s.kind in _AFTER_DUE else s
                   for s in deadline.stages)
    breached = deadline.breached_at
    if breached is not None and breached < floor:
        breached = floor
    return deadline.model_copy(update={"stages": stages, "breached_at": breached})


class SlaService:
    def __init__(self, store: SlaStore, tickets: TicketService, dispatch: DispatchService, events: EventPublisher,
                 clock: Clock, approver: TimeoutApprover, pages: RecomputePages | None = None,
                 page_size: int = RECOMPUTE_PAGE_SIZE, repairs: RepairRedispatcher | None = None, *,
                 zones: TenantZones) -> None:
        self._approver = approver
        self._zones = zones
        self._repairs = repairs
        self._store = store
        self._tickets = tickets
        self._dispatch = dispatch
        self._events = events
        self._clock = clock
        self._pages = pages
        self._page_size = page_size

    # ---------------------------------------------------------------- policy and calendars
    def save_policy(self, tenant_id: str, data: Mapping[str, Any]) -> SlaPolicy:
        previous = self._store.policy_for(tenant_id)
        body = {**data, "tenant_id": tenant_id, "version": (previous.version + 1) if previous else 1}
        policy = validate_policy(body, self._store.calendars_for(tenant_id).keys())
        self._store.save_policy(policy)  # the item's stream record triggers the recompute (policy_item_changed)
        logger.info("sla policy saved", extra={"tenant_id": tenant_id, "version": policy.version})
        return policy

    def policy(self, tenant_id: str) -> SlaPolicy:
        policy = self._store.policy_for(tenant_id)
        if policy is None:
            raise NotFound("sla.policy_not_found")
        return policy

    def save_calendar(self, tenant_id: str, calendar_id: str, data: Mapping[str, Any]) -> BusinessCalendar:
        try:
            calendar = BusinessCalendar.model_validate({**data, "tenant_id": tenant_id, "calendar_id": calendar_id})
        except ValidationError as exc:
            raise PolicyRejected([PolicyIssue(path=".".join(str(p) for p in e["loc"]), message=e["msg"])
                                  for e in exc.errors()]) from exc
        self._store.save_calendar(calendar)  # its stream record triggers the recompute, as for the policy
        return calendar

    def calendars(self, tenant_id: str) -> list[BusinessCalendar]:
        return list(self._store.calendars_for(tenant_id).values())

    # ---------------------------------------------------------------- tracking
    def deadlines(self, tenant_id: str, ticket_id: str, actor: Actor) -> list[DeadlineState]:
        self._tickets.get(tenant_id, ticket_id, actor)
        states = self._store.states_for_ticket(tenant_id, ticket_id)
        return sorted(states.values(), key=lambda s: (s.deadline.metric, s.deadline.cycle))

    def clocks(self, tenant_id: str, ticket_ids: list[str]) -> dict[str, list[DeadlineState]]:
        """The deadlines of a page of tickets (a queue screen's SLA clocks), as last recomputed, in one
        batch read: due times and reminder offsets, from which a viewer's clock counts down. Stages the
        sweep fired since are on each ticket's own deadlines (`deadlines`). At most 100 ids."""
        if len(ticket_ids) > MAX_CLOCKS:
            raise InvalidRequest("sla.too_many_tickets", field="ticket_ids", max=MAX_CLOCKS)
        return self._store.clocks_for(tenant_id, ticket_ids) if ticket_ids else {}

    def track(self, tenant_id: str, ticket_id: str, *, policy_changed: bool = False) -> list[DeadlineState]:
        """Recompute the ticket's deadlines from its history; keep fired stages and recorded breaches.

        Completed cycles keep their stored outcome. After a policy change, a deadline that the new
        policy puts in the past is breached from now on (a floor), never back-dated."""
        ticket = self._tickets.get(tenant_id, ticket_id, SLA_ENGINE)
        order = self._tickets.get_order(tenant_id, ticket.order_id, SLA_ENGINE)
        agent_id = ticket.assignee_id
        context = {"ticket_type": ticket.type.value, "customer_tier": order.customer.tier,
                   "channel": ticket.channel.value, "customer_id": ticket.customer_id, "status": ticket.status.value,
                   "agent_id": agent_id, "team_id": self._dispatch.team_of(tenant_id, agent_id)}
        is_open = ticket.status not in TERMINAL_STATUSES
        self._store.save_context(tenant_id, ticket_id, context, is_open)
        policy = self._store.policy_for(tenant_id)
        if policy is None and ticket.type != TicketType.REPAIR:
            return []
        policy = with_repair_defaults(policy, tenant_id)  # repairs are tracked with defaults when not set
        facts = TicketFacts(tenant_id=tenant_id, ticket_id=ticket_id, ticket_type=context["ticket_type"],
                            customer_tier=context["customer_tier"], channel=context["channel"])
        history = history_from_audit(self._tickets.audit(tenant_id, ticket_id, SLA_ENGINE))
        stored = self._store.states_with_floor(tenant_id, ticket_id)
        previous = {k: s for k, (s, _f) in stored.items()}
        recorded = {k: s.deadline.breached_at for k, s in previous.items() if s.deadline.breached_at}
        from aftersales.sla.deadlines import compute_deadlines

        now = self._clock.now()
        computed = compute_deadlines(policy, self._store.calendars_for(tenant_id), facts, history, recorded)
        results = []
        for state in carry_over(previous, computed):
            key = state.deadline.key
            old, floor = stored.get(key, (None, None))
            if old is not None and not old.deadline.is_open and not state.deadline.is_open \
                    and old.deadline.completed_at == state.deadline.completed_at:
                state = old  # a decided cycle is not re-judged under a new policy
            else:
                if policy_changed and state.deadline.is_open and not state.is_breached \
                        and state.deadline.due_at is not None and state.deadline.due_at < now:
                    floor = max(floor or now, now)
                state = state.model_copy(update={"deadline": _apply_floor(state.deadline, floor)})
            due = next_due_at(state) if is_open else None
            bucket = index_bucket(due, now) if due is not None else None
            self._store.save(state, bucket, floor)
            self.record_outcome(self._outcome(state, context), state.deadline.cycle)
            results.append(state)
        for key in previous.keys() - {s.deadline.key for s in results}:
            self._store.delete_state(tenant_id, ticket_id, key)  # metric no longer in the policy
        self._store.save_clocks(tenant_id, ticket_id, results)
        logger.info("deadlines recomputed", extra={"tenant_id": tenant_id, "ticket_id": ticket_id,
                                                   "deadlines": len(results), "open": is_open})
        return results

    def policy_item_changed(self, tenant_id: str, sort_key: str) -> bool:
        """The policy or a calendar item was written (its DynamoDB stream record): start the paged
        recompute of the tenant's open tickets and announce `sla.policy_changed`. Driven by the write
        itself, so a saved policy can never miss its recompute; a failure here is retried by the
        stream. False when there is nothing to recompute (a calendar saved before any policy)."""
        policy = self._store.policy_for(tenant_id)
        if policy is None:
            return False
        self._enqueue_page(tenant_id, None)
        change = {"tenant_id": tenant_id, "version": policy.version}
        if sort_key.startswith("CAL#"):
            change["calendar_id"] = sort_key.removeprefix("CAL#")
        self._events.publish(SLA_SOURCE, "sla.policy_changed", change)
        return True

    def recompute_page(self, tenant_id: str, cursor: str | None = None) -> tuple[int, str | None]:
        """One page of the tenant's open tickets (gsi3) recomputed; the next page is enqueued as its own
        tracker message, so a large tenant never runs into the Lambda timeout. Returns (tickets, next)."""
        ids, next_cursor = self._store.open_ticket_page(tenant_id, cursor, self._page_size)
        count = 0
        for ticket_id in ids:
            try:
                self.track(tenant_id, ticket_id, policy_changed=True)
                count += 1
            except DomainError as exc:
                logger.warning("recompute failed", extra={"ticket_id": ticket_id, "error": exc.message_id})
        if next_cursor is not None:
            self._enqueue_page(tenant_id, next_cursor)
        logger.info("recompute page", extra={"tenant_id": tenant_id, "tickets": count, "more": bool(next_cursor)})
        return count, next_cursor

    def recompute_open(self, tenant_id: str) -> int:
        """Every open ticket of the tenant in this process, page after page (bench and tools only;
        the tracker goes one page per message)."""
        count, cursor = 0, None
        while True:
            ids, cursor = self._store.open_ticket_page(tenant_id, cursor, self._page_size)
            for ticket_id in ids:
                try:
                    self.track(tenant_id, ticket_id, policy_changed=True)
                    count += 1
                except DomainError as exc:
                    logger.warning("recompute failed", extra={"ticket_id": ticket_id, "error": exc.message_id})
            if cursor is None:
                return count

    def _enqueue_page(self, tenant_id: str, cursor: str | None) -> None:
        if self._pages is None:
            raise RuntimeError("SlaService was built without a recompute queue (SLA_TRACKER_QUEUE_URL)")
        self._pages.enqueue(tenant_id, cursor)

    @staticmethod
    def _outcome(state: DeadlineState, context: Mapping[str, Any]) -> SlaOutcome:
        d = state.deadline
        return SlaOutcome(tenant_id=d.tenant_id, ticket_id=d.ticket_id, metric=d.metric,
                          ticket_type=context["ticket_type"], customer_tier=context["customer_tier"],
                          channel=context["channel"], agent_id=context.get("agent_id"),
                          team_id=context.get("team_id"), started_at=d.started_at, due_at=d.due_at,
                          completed_at=d.completed_at, breached_at=d.breached_at)

    # ---------------------------------------------------------------- the sweep
    def sweep(self) -> SweepReport:
        now = self._clock.now()
        last = self._store.last_swept() or now - FIRST_SWEEP_LOOKBACK
        report = SweepReport(buckets=buckets_between(last, now))
        for bucket in report.buckets:
            for state, _floor in list(self._store.entries_in_bucket(bucket)):
                report.items_read += 1
                if not due_actions(state, now):
                    continue
                try:
                    self._fire_due(state.deadline.tenant_id, state.deadline.ticket_id, state.deadline.key, now,
                                   report)
                except Exception:  # one ticket must not stop the sweep; the state stays indexed
                    report.failures += 1
                    logger.exception("sla stage failed", extra={"ticket_id": state.deadline.ticket_id,
                                                                "deadline": state.deadline.key})
        self._store.set_last_swept(now)
        logger.info("sla sweep", extra={"buckets": len(report.buckets), "items_read": report.items_read,
                                        "fired": report.actions_fired, "failures": report.failures})
        return report

    def _fire_due(self, tenant_id: str, ticket_id: str, key: str, now: datetime, report: SweepReport) -> None:
        # The index is eventually consistent: act on the state read from the table itself.
        fresh = self._store.states_with_floor(tenant_id, ticket_id).get(key)
        if fresh is None:
            return
        state, floor = fresh
        ticket = self._tickets.get(tenant_id, ticket_id, SLA_ENGINE)
        if ticket.status in TERMINAL_STATUSES:
            self._store.save(state, None, floor)
            return
        context = self._store.context(tenant_id, ticket_id) or {}
        done: list[Action] = []
        for action in due_actions(state, now):
            if not self._store.claim(action.idempotency_key):
                report.already_fired += 1
                done.append(action)  # fired by an earlier (overlapping) sweep: only record it
                continue
            try:
                ticket = self._act(action, ticket, state, context)
            except Exception:
                self._store.release(action.idempotency_key)
                raise
            report.actions_fired += 1
            report.fired.append(action.idempotency_key)
            done.append(action)
        state = record_fired(state, done)
        due = next_due_at(state)
        self._store.save(state, index_bucket(due, now) if due is not None else None, floor)
        if any(a.stage.kind == "breach" for a in done):
            self.record_outcome(self._outcome(state, {**context, "agent_id": ticket.assignee_id}),
                                state.deadline.cycle)

    def _act(self, action: Action, ticket: Ticket, state: DeadlineState, context: Mapping[str, Any]) -> Ticket:
        stage, d = action.stage, state.deadline
        detail = {"tenant_id": d.tenant_id, "ticket_id": d.ticket_id, "metric": d.metric, "cycle": d.cycle,
                  "stage": stage.name, "due_at": iso(d.due_at) if d.due_at else None,
                  "stage_at": iso(stage.at) if stage.at else None, "assignee_id": ticket.assignee_id,
                  "idempotency_key": action.idempotency_key}
        data = {"metric": d.metric, "cycle": d.cycle, "stage": stage.name,
                "due_at": detail["due_at"]}
        if stage.kind == "reminder":
            ticket = self._tickets.note(d.tenant_id, d.ticket_id, "ticket.sla_reminder", SLA_ENGINE,
                                        reason=f"{d.metric} at {stage.fraction:.0%} of its budget", data=data)
            self._events.publish(SLA_SOURCE, "sla.reminder", detail)
        elif stage.kind == "breach":
            ticket = self._tickets.note(d.tenant_id, d.ticket_id, "ticket.sla_breached", SLA_ENGINE,
                                        reason=f"{d.metric} deadline passed", data=data)
            self._events.publish(SLA_SOURCE, "sla.breached", detail)
        elif stage.kind == "escalate":
            reason = f"sla escalation level {stage.level} to {stage.to_role}: {d.metric} breached"
            decision = self._dispatch.escalate(d.tenant_id, ticket, stage.to_role or "supervisor", reason)
            if decision.agent_id is None or decision.agent_id == ticket.assignee_id:
                ticket = self._tickets.note(d.tenant_id, d.ticket_id, "ticket.sla_escalated", SLA_ENGINE,
                                            reason=f"{reason}; {decision.reason_code}: {decision.reason_detail}",
                                            data={**data, "to_role": stage.to_role, "agent_id": decision.agent_id})
            else:
                ticket = self._tickets.get(d.tenant_id, d.ticket_id, SLA_ENGINE)
            self._events.publish(SLA_SOURCE, "sla.escalated", {
                **detail, "level": stage.level, "to_role": stage.to_role, "to_agent_id": decision.agent_id,
                "reason_code": decision.reason_code})
        elif stage.kind == "default_action":
            ticket = self._default_action(action, ticket, state, data, detail)
        return ticket

    def _default_action(self, action: Action, ticket: Ticket, state: DeadlineState, data: dict,
                        detail: dict) -> Ticket:
        policy_action = action.stage.default_action
        d = state.deadline
        outcome = "skipped"
        try:
            if isinstance(policy_action, AutoApproveRefundUnderCap):
                cap = policy_action.cap
                if ticket.status == Status.PENDING_APPROVAL and ticket.requested_amount.currency == cap.currency \
                        and ticket.requested_amount.amount <= cap.amount:
                    try:
                        ticket = self._approver.approve_on_timeout(
                            d.tenant_id, d.ticket_id,
                            reason=f"sla default action: auto-approved under cap {cap.amount} {cap.currency}",
                            data=data)
                        outcome = "auto_approved"
                    except Forbidden:
                        outcome = "skipped_needs_review"  # dual / supervisor routes escalate, never self-approve
            elif isinstance(policy_action, CloseTicket):
                ticket = self._tickets.transition(d.tenant_id, d.ticket_id, Status.CLOSED, SLA_ENGINE,
                                                  reason="sla default action: closed", data=data)
                outcome = "closed"
            elif isinstance(policy_action, IssueCompensationCoupon):
                self._events.publish(SLA_SOURCE, "sla.compensation_coupon_requested", {
                    **detail, "value": policy_action.value.model_dump(mode="json"),
                    "customer_id": ticket.customer_id})
                outcome = "coupon_requested"
            elif isinstance(policy_action, RedispatchRepair) and self._repairs is not None:
                outcome = self._repairs.redispatch_overdue(d.tenant_id, d.ticket_id, metric=d.metric,
                                                           since=d.started_at)
        except IllegalTransition:
            outcome = "skipped"  # not allowed from the current status: recorded, not retried
        if outcome not in ("auto_approved", "closed"):
            ticket = self._tickets.note(d.tenant_id, d.ticket_id, "ticket.sla_default_action", SLA_ENGINE,
                                        reason=f"sla default action {policy_action.kind}: {outcome}",
                                        data={**data, "outcome": outcome})
        self._events.publish(SLA_SOURCE, "sla.default_action",
                             {**detail, "action": policy_action.kind, "outcome": outcome})
        return ticket

    # ---------------------------------------------------------------- figures
    def record_outcome(self, outcome: SlaOutcome, cycle: int) -> bool:
        """Save a deadline cycle's outcome and move its contribution in the tenant's day buckets, in
        one write conditioned on the outcome as read: whatever the order or repetition of saves, the
        buckets hold each outcome's latest contribution exactly once. False when the stored outcome is
        already this one (and counted): nothing is written."""
        new = contribution(outcome, ZoneInfo(self._zones.zone(outcome.tenant_id)))
        for _ in range(OUTCOME_ATTEMPTS):
            stored = self._store.outcome(outcome.tenant_id, outcome.ticket_id, f"{outcome.metric}#{cycle}")
            if stored is not None and stored.counted is not None and stored.outcome == outcome:
                return False
            try:
                self._store.save_outcome(outcome, cycle, new, bucket_delta(stored.counted if stored else None, new),
                                         stored.version if stored else None)
                return True
            except OutcomeConflict:
                continue
        raise ConcurrentModification("error.concurrent_modification", ticket_id=outcome.ticket_id)

    def backfill_figures_step(self, tenant_id: str, day: date, last: date, cursor: str | None = None
                              ) -> BackfillStep:
        """One page of the outcomes decided on the UTC `day`: those saved before the figures were kept
        per day are counted into their day's bucket (each once: the same conditional write as a save).
        The step names where the next one starts (the next page, or the next day up to `last`)."""
        page, next_cursor = self._store.decided_outcomes(tenant_id, day, cursor, self._page_size)
        counted = sum(self.record_outcome(s.outcome, s.cycle) for s in page if s.counted is None)
        if next_cursor is None:
            day += timedelta(days=1)
        return BackfillStep(counted=counted, day=day if day <= last else None, cursor=next_cursor)

    def backfill_figures(self, tenant_id: str, first: date, last: date) -> int:
        """Every UTC day of [first, last], step after step, in this process (bench and tools; the
        backfill function goes one step per invocation)."""
        counted, day, cursor = 0, first, None
        while day is not None:
            step = self.backfill_figures_step(tenant_id, day, last, cursor)
            counted, day, cursor = counted + step.counted, step.day, step.cursor
        logger.info("sla figures backfilled", extra={"tenant_id": tenant_id, "outcomes": counted})
        return counted

    def _figure_days(self, tenant_id: str, first: date, last: date) -> tuple[str, list[DayBucket]]:
        if last < first:
            raise InvalidRequest("sla.bad_date_range", field="query.to")
        if (last - first).days > MAX_FIGURE_DAYS:
            raise InvalidRequest("sla.date_range_too_long", field="query.to", max_days=MAX_FIGURE_DAYS)
        return self._zones.zone(tenant_id), self._store.figure_days(tenant_id, first, last)

    def daily_timeouts(self, tenant_id: str, first: date, last: date) -> ZonedFigures[DailyTimeouts]:
        """Breaches per local day of the tenant's zone and metric."""
        zone, days = self._figure_days(tenant_id, first, last)
        return ZonedFigures(zone, timeouts_of(days))

    def ranking(self, tenant_id: str, first: date, last: date, by: Literal["agent", "team"]
                ) -> ZonedFigures[ResponsibleFigures]:
        """Agents or teams by breaches, then mean handling time, of the outcomes decided in the days."""
        zone, days = self._figure_days(tenant_id, first, last)
        return ZonedFigures(zone, ranking_of(days, by))

    def compliance(self, tenant_id: str, first: date, last: date) -> ZonedFigures[ComplianceFigures]:
        """Met vs breached per type × tier × channel × metric of the outcomes decided in the days."""
        zone, days = self._figure_days(tenant_id, first, last)
        return ZonedFigures(zone, compliance_of(days))


__all__ = ["BREACH_STAGE", "SLA_ENGINE", "BackfillStep", "SlaService", "SweepReport"]
