"""The intake checks of one ticket against the tenant's rules (pure: the order snapshot, the other
tickets of the same order and `now` are given).

Each check ends `pass`, `fail`, `refer` (the rules want a person to look) or `unknown` (the data it
needs is missing; `missing` names it), with a message id as its reason. The ticket's outcome: any
fail -> ineligible (the first failure is the reason); else any unknown -> unknown; else any refer ->
referred; else eligible.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import ConfigDict

from aftersales.core.model import DomainModel
from aftersales.orders.domain import Order
from aftersales.tickets.domain import Ticket
from aftersales.tickets.model import LINE_TYPES, Status, TicketType

from .rules import IntakeRule, IntakeRules

T = TicketType
# Types that go through approval: a complaint is investigated, not checked for eligibility.
CHECKED_TYPES = frozenset({T.RETURN_REFUND, T.EXCHANGE, T.REPAIR, T.REFUND_ONLY, T.SHIPPING_FEE_REFUND})
GOODS_BACK = frozenset({T.RETURN_REFUND, T.EXCHANGE, T.REPAIR})  # the customer must have the goods
RETURNABLE_CHECKED = frozenset({T.RETURN_REFUND, T.EXCHANGE, T.REFUND_ONLY})
# Another ticket of the order is still open on its lines until it ends one of these ways.
DONE = frozenset({Status.REJECTED, Status.REFUNDED, Status.CLOSED, Status.CANCELLED, Status.RESOLVED,
                  Status.RESHIPPED, Status.RETURNED_TO_CUSTOMER})
REFUND_TYPES = frozenset({T.REFUND_ONLY, T.RETURN_REFUND})


class Check(StrEnum):
    ORDER_STATE = "order_state"
    RETURN_WINDOW = "return_window"
    LINE_RETURNABLE = "line_returnable"
    QUANTITY_LEFT = "quantity_left"
    DUPLICATE_REQUEST = "duplicate_request"
    PREVIOUS_REFUND = "previous_refund"
    EVIDENCE = "evidence"


class Verdict(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    REFER = "refer"
    UNKNOWN = "unknown"


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    INELIGIBLE = "ineligible"
    UNKNOWN = "unknown"
    REFERRED = "referred"


class Action(StrEnum):
    ROUTE = "route"  # straight into approval routing
    REJECT = "reject"
    AGENT = "agent"


class _Frozen(DomainModel):
    model_config = ConfigDict(frozen=True)


class CheckResult(_Frozen):
    check: Check
    verdict: Verdict
    reason: str  # message id (tools/messages.py)
    details: dict[str, Any] = {}
    missing: tuple[str, ...] = ()


class Evaluation(_Frozen):
    ticket_id: str
    rules_version: int
    rule_id: str
    outcome: Outcome
    action: Action
    reason: str  # the message id that explains the outcome
    checks: tuple[CheckResult, ...]
    missing: tuple[str, ...] = ()

    @property
    def failed(self) -> tuple[str, ...]:
        return tuple(c.check.value for c in self.checks if c.verdict is Verdict.FAIL)


def _result(check: Check, verdict: Verdict, reason: str, missing: tuple[str, ...] = (), **details: Any
            ) -> CheckResult:
    return CheckResult(check=check, verdict=verdict, reason=f"eligibility.{reason}", details=details,
                       missing=missing)


def order_state(ticket: Ticket, order: Order) -> CheckResult:
    c = Check.ORDER_STATE
    if order.fulfilment is None:
        return _result(c, Verdict.UNKNOWN, "order_state_unknown", ("order.fulfilment",))
    status = order.fulfilment.status
    if status == "cancelled":
        return _result(c, Verdict.FAIL, "order_cancelled", status=status)
    if ticket.type in GOODS_BACK and status == "unfulfilled":
        return _result(c, Verdict.FAIL, "order_not_shipped", status=status)
    return _result(c, Verdict.PASS, "order_active", status=status)


def return_window(ticket: Ticket, order: Order, rule: IntakeRule, now: datetime) -> CheckResult | None:
    if rule.return_window_days is None:
        return None
    c, window = Check.RETURN_WINDOW, rule.return_window_days
    fulfilment = order.fulfilment
    if fulfilment is None:
        return _result(c, Verdict.UNKNOWN, "delivery_unknown", ("order.fulfilment.delivered_at",), window_days=window)
    if fulfilment.delivered_at is None:
        if ticket.type in GOODS_BACK and fulfilment.status == "shipped":
            return _result(c, Verdict.UNKNOWN, "delivery_unknown", ("order.fulfilment.delivered_at",),
                           window_days=window)
        return _result(c, Verdict.PASS, "window_not_started", window_days=window)
    days = (now - fulfilment.delivered_at).total_seconds() / 86_400
    ends = window_end(rule, fulfilment.delivered_at)
    details = {"window_days": window, "delivered_at": fulfilment.delivered_at.isoformat(),
               "days_since_delivery": int(days), "return_by": ends.isoformat()}
    if ends > fulfilment.delivered_at + timedelta(days=window):
        details["holiday_extension"] = True
    if now > ends:
        return _result(c, Verdict.FAIL, "outside_return_window", **details)
    return _result(c, Verdict.PASS, "within_return_window", **details)


def window_end(rule: IntakeRule, delivered_at: datetime) -> datetime:
    """When the return window closes: `return_window_days` after delivery, or the end of a holiday
    season's `return_by` day (in its time zone) when the delivery fell in that season and it is later."""
    assert rule.return_window_days is not None
    ends = delivered_at + timedelta(days=rule.return_window_days)
    for season in rule.holiday_extensions:
        zone = ZoneInfo(season.time_zone)
        if season.delivered_from <= delivered_at.astimezone(zone).date() <= season.delivered_to:
            ends = max(ends, datetime.combine(season.return_by + timedelta(days=1), time(0), zone))
    return ends


def line_returnable(ticket: Ticket, order: Order, rules: IntakeRules) -> CheckResult | None:
    if ticket.type not in RETURNABLE_CHECKED:
        return None
    if ticket.type is T.REFUND_ONLY and (order.fulfilment is None or order.fulfilment.status == "unfulfilled"):
        return None  # nothing was delivered: cancelling a line is not a return
    c = Check.LINE_RETURNABLE
    for line in ticket.lines:
        bought = order.line(line.line_id)
        if bought is None:
            return _result(c, Verdict.UNKNOWN, "line_unknown", (f"order.lines.{line.line_id}",), line_id=line.line_id)
        if bought.final_sale:
            return _result(c, Verdict.FAIL, "final_sale", line_id=line.line_id)
        if bought.product_type is not None and bought.product_type in rules.non_returnable_product_types:
            return _result(c, Verdict.FAIL, "line_not_returnable", line_id=line.line_id,
                           product_type=bought.product_type)
        if bought.category is not None and bought.category in rules.non_returnable_categories:
            return _result(c, Verdict.FAIL, "line_not_returnable", line_id=line.line_id, category=bought.category)
    return _result(c, Verdict.PASS, "lines_returnable")


def _refunded(siblings: list[Ticket]) -> Counter[str]:
    """Quantities per line that earlier tickets of the order refunded."""
    done: Counter[str] = Counter()
    for other in siblings:
        paid = other.status is Status.REFUNDED or (other.status is Status.CLOSED and other.approval is not None)
        if other.type in REFUND_TYPES and paid:
            for line in other.lines:
                done[line.line_id] += (line.quantity_accepted if other.type is T.RETURN_REFUND
                                       else line.quantity_requested)
    return done


def _open(siblings: list[Ticket]) -> list[Ticket]:
    return [other for other in siblings if other.status not in DONE and other.lines]


def quantity_left(ticket: Ticket, order: Order, siblings: list[Ticket]) -> CheckResult:
    c = Check.QUANTITY_LEFT
    refunded = _refunded(siblings)
    held: Counter[str] = Counter()
    for other in _open(siblings):
        for line in other.lines:
            held[line.line_id] += line.quantity_requested
    for line in ticket.lines:
        bought = order.line(line.line_id)
        if bought is None:
            return _result(c, Verdict.UNKNOWN, "line_unknown", (f"order.lines.{line.line_id}",), line_id=line.line_id)
        left = bought.quantity - refunded[line.line_id] - held[line.line_id]
        if line.quantity_requested > left:
            return _result(c, Verdict.FAIL, "quantity_exceeds_remaining", line_id=line.line_id,
                           requested=line.quantity_requested, left=max(left, 0))
    return _result(c, Verdict.PASS, "quantity_available")


def duplicate_request(ticket: Ticket, rule: IntakeRule, siblings: list[Ticket]) -> CheckResult:
    c = Check.DUPLICATE_REQUEST
    mine = {line.line_id for line in ticket.lines}
    for other in _open(siblings):
        shared = sorted(mine & {line.line_id for line in other.lines})
        if shared:
            verdict = Verdict.FAIL if rule.duplicate_request == "refuse" else Verdict.REFER
            return _result(c, verdict, "duplicate_open_request", line_id=shared[0], other_ticket_id=other.id)
    return _result(c, Verdict.PASS, "no_open_request")


def previous_refund(ticket: Ticket, rule: IntakeRule, siblings: list[Ticket]) -> CheckResult:
    c = Check.PREVIOUS_REFUND
    refunded = _refunded(siblings)
    hit = sorted(line.line_id for line in ticket.lines if refunded[line.line_id] > 0)
    if not hit or rule.previous_refund == "allow":
        return _result(c, Verdict.PASS, "no_previous_refund" if not hit else "previous_refund_allowed",
                       **({"line_id": hit[0]} if hit else {}))
    verdict = Verdict.FAIL if rule.previous_refund == "refuse" else Verdict.REFER
    return _result(c, verdict, "previously_refunded", line_id=hit[0], quantity=refunded[hit[0]])


def evidence(ticket: Ticket, rule: IntakeRule) -> CheckResult:
    c = Check.EVIDENCE
    reasons = {ticket.reason_code, *(line.reason_code for line in ticket.lines if line.reason_code)}
    needing = sorted(reasons & rule.evidence_reasons)
    if not needing:
        return _result(c, Verdict.PASS, "evidence_not_required")
    # The ticket's media are its customer's ready evidence (the media context vouched for each one).
    if ticket.media_ids:
        return _result(c, Verdict.PASS, "evidence_present", reason_code=needing[0], media=len(ticket.media_ids))
    return _result(c, Verdict.UNKNOWN, "evidence_missing", ("evidence.photos",), reason_code=needing[0])


def evaluate(rules: IntakeRules, ticket: Ticket, order: Order, siblings: list[Ticket], now: datetime
             ) -> Evaluation | None:
    """None for a type that is not checked (complaints)."""
    if ticket.type not in CHECKED_TYPES:
        return None
    rule = rules.rule_for(ticket.type, ticket.channel, order.shipping.country)
    others = [s for s in siblings if s.id != ticket.id]
    results = [order_state(ticket, order), return_window(ticket, order, rule, now),
               line_returnable(ticket, order, rules)]
    if ticket.type in LINE_TYPES:
        results += [quantity_left(ticket, order, others), duplicate_request(ticket, rule, others),
                    previous_refund(ticket, rule, others)]
    results.append(evidence(ticket, rule))
    checks = tuple(r for r in results if r is not None)
    return decide(rules, rule, ticket.id, checks)


def decide(rules: IntakeRules, rule: IntakeRule, ticket_id: str, checks: tuple[CheckResult, ...]) -> Evaluation:
    by_verdict = {v: [c for c in checks if c.verdict is v] for v in Verdict}
    missing = tuple(dict.fromkeys(m for c in checks for m in c.missing))
    if by_verdict[Verdict.FAIL]:
        outcome, reason = Outcome.INELIGIBLE, by_verdict[Verdict.FAIL][0].reason
        action = Action.REJECT if rule.when_ineligible == "reject" else Action.AGENT
    elif by_verdict[Verdict.UNKNOWN]:
        outcome, reason, action = Outcome.UNKNOWN, by_verdict[Verdict.UNKNOWN][0].reason, Action.AGENT
    elif by_verdict[Verdict.REFER]:
        outcome, reason, action = Outcome.REFERRED, by_verdict[Verdict.REFER][0].reason, Action.AGENT
    else:
        outcome, reason = Outcome.ELIGIBLE, "eligibility.eligible"
        action = Action.ROUTE if rule.when_eligible == "route" else Action.AGENT
    return Evaluation(ticket_id=ticket_id, rules_version=rules.version, rule_id=rule.id, outcome=outcome,
                      action=action, reason=reason, checks=checks, missing=missing)


def reason_of(evaluation: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    """The outcome's message id and the parameters of the check it comes from (a recorded
    evaluation, as `Evaluation.model_dump(mode="json")` wrote it)."""
    reason = str(evaluation.get("reason") or "")
    check = next((c for c in evaluation.get("checks") or () if c.get("reason") == reason), None)
    return reason, dict(check.get("details") or {}) if check else {}
