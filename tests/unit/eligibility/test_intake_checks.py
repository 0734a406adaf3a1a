"""The intake checks of one ticket (pure): the return window from delivery, returnable lines,
order state, quantities left, duplicate open requests, earlier refunds and evidence; and how the
verdicts make the ticket's outcome."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.eligibility.checks import Action, Check, Outcome, Verdict, evaluate
from aftersales.eligibility.defaults import default_rules
from aftersales.eligibility.rules import IntakeRules
from aftersales.orders.domain import Order
from aftersales.tickets import domain
from aftersales.tickets.domain import LineRequest, OpenTicket, Ticket
from aftersales.tickets.model import Status
from tests.support.ticket_factories import STOREFRONT, order

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
RULES = default_rules("acme")


def delivered(days_ago: float, **overrides) -> Order:
    at = NOW - timedelta(days=days_ago)
    return order(fulfilment={"status": "delivered", "shipped_at": (at - timedelta(days=2)).isoformat(),
                             "delivered_at": at.isoformat()}, **overrides)


def ticket(the_order: Order, ticket_type: str = "return_refund", *, ticket_id: str = "tkt-1", line: str = "L1",
           quantity: int = 1, reason: str = "dislike", channel: str = "app", status: Status | None = None,
           **update) -> Ticket:
    request = OpenTicket(type=ticket_type, order_id=the_order.order_id, channel=channel, reason_code=reason,
                         lines=[LineRequest(line_id=line, quantity=quantity)] if ticket_type != "shipping_fee_refund"
                         else [])
    opened = domain.open_ticket(ticket_id=ticket_id, tenant_id="acme", request=request, order=the_order,
                                reserved={}, actor=STOREFRONT, at=NOW).ticket
    return opened.model_copy(update={**({"status": status} if status else {}), **update})


def check(evaluation, name: Check):
    return next(c for c in evaluation.checks if c.check is name)


def test_a_return_within_the_window_from_delivery_is_eligible_and_routed():
    """GIVEN an order delivered 10 days ago WHEN a return of one mug is checked THEN every check
    passes and the ticket goes straight into approval routing."""
    the_order = delivered(10)
    result = evaluate(RULES, ticket(the_order), the_order, [], NOW)
    assert result.outcome is Outcome.ELIGIBLE and result.action is Action.ROUTE and result.rule_id == "returns"
    assert {c.verdict for c in result.checks} == {Verdict.PASS}
    assert check(result, Check.RETURN_WINDOW).details["days_since_delivery"] == 10


def test_the_window_counts_from_delivery_not_from_payment():
    """GIVEN an order placed 60 days ago but delivered 5 days ago WHEN checked THEN within the window."""
    the_order = delivered(5, placed_at=(NOW - timedelta(days=60)).isoformat())
    assert check(evaluate(RULES, ticket(the_order), the_order, [], NOW), Check.RETURN_WINDOW).verdict is Verdict.PASS


def test_an_out_of_window_return_is_rejected_with_the_window_reason():
    the_order = delivered(45)
    result = evaluate(RULES, ticket(the_order), the_order, [], NOW)
    assert result.outcome is Outcome.INELIGIBLE and result.action is Action.REJECT
    assert result.reason == "eligibility.outside_return_window" and result.failed == ("return_window",)
    assert check(result, Check.RETURN_WINDOW).details == {
        "window_days": 30, "delivered_at": (NOW - timedelta(days=45)).isoformat(), "days_since_delivery": 45,
        "return_by": (NOW - timedelta(days=15)).isoformat()}


@given(days=st.floats(min_value=0, max_value=400, allow_nan=False), window=st.integers(min_value=0, max_value=365))
def test_the_window_fails_exactly_when_more_days_than_the_window_have_passed(days, window):
    """GIVEN any delivery age and window WHEN checked THEN fail iff age > window, and a failed window
    makes the ticket ineligible."""
    rules = IntakeRules.model_validate({"tenant_id": "acme", "version": 2,
                                        "rules": [{"id": "all", "return_window_days": window}]})
    the_order = delivered(days)
    result = evaluate(rules, ticket(the_order), the_order, [], NOW)
    window_check = check(result, Check.RETURN_WINDOW)
    assert (window_check.verdict is Verdict.FAIL) == ((NOW - (NOW - timedelta(days=days))).total_seconds()
                                                      / 86_400 > window)
    assert (result.outcome is Outcome.INELIGIBLE) == (window_check.verdict is Verdict.FAIL)


def test_without_the_fulfilment_state_the_checks_are_unknown_and_say_what_is_missing():
    """GIVEN an order snapshot without fulfilment WHEN checked THEN unknown, for an agent, naming the field."""
    the_order = order()
    result = evaluate(RULES, ticket(the_order), the_order, [], NOW)
    assert result.outcome is Outcome.UNKNOWN and result.action is Action.AGENT
    assert result.missing == ("order.fulfilment", "order.fulfilment.delivered_at")


def test_a_refund_only_before_shipping_needs_no_window_and_a_return_of_unshipped_goods_fails():
    unshipped = order(fulfilment={"status": "unfulfilled"})
    refund = evaluate(RULES, ticket(unshipped, "refund_only"), unshipped, [], NOW)
    assert refund.outcome is Outcome.ELIGIBLE
    assert check(refund, Check.RETURN_WINDOW).reason == "eligibility.window_not_started"
    returned = evaluate(RULES, ticket(unshipped), unshipped, [], NOW)
    assert returned.outcome is Outcome.INELIGIBLE and returned.reason == "eligibility.order_not_shipped"


def test_a_cancelled_order_is_ineligible():
    cancelled = order(fulfilment={"status": "cancelled"})
    assert evaluate(RULES, ticket(cancelled, "refund_only"), cancelled, [], NOW).reason == "eligibility.order_cancelled"


def test_a_return_shipped_but_not_yet_delivered_is_unknown():
    shipped = order(fulfilment={"status": "shipped", "shipped_at": (NOW - timedelta(days=1)).isoformat()})
    result = evaluate(RULES, ticket(shipped), shipped, [], NOW)
    assert result.outcome is Outcome.UNKNOWN and result.missing == ("order.fulfilment.delivered_at",)


def test_final_sale_and_non_returnable_categories_fail_the_line_check():
    base = delivered(3).model_dump(mode="json")
    base["lines"][0]["final_sale"] = True
    final = Order.model_validate(base)
    assert evaluate(RULES, ticket(final), final, [], NOW).reason == "eligibility.final_sale"
    base["lines"][0].update(final_sale=False, category="food")
    food = Order.model_validate(base)
    rules = RULES.model_copy(update={"non_returnable_categories": frozenset({"food"})})
    result = evaluate(rules, ticket(food), food, [], NOW)
    assert result.reason == "eligibility.line_not_returnable"
    assert check(result, Check.LINE_RETURNABLE).details == {"line_id": "L1", "category": "food"}
    # a repair of the same item is not a return: the line check does not apply
    assert evaluate(rules, ticket(food, "repair"), food, [], NOW).outcome is Outcome.ELIGIBLE


def test_another_open_request_on_the_line_goes_to_an_agent_and_an_earlier_refund_too():
    the_order = delivered(3)
    mine = ticket(the_order, quantity=1)
    other = ticket(the_order, ticket_id="tkt-0", quantity=1, status=Status.PENDING_APPROVAL)
    result = evaluate(RULES, mine, the_order, [other], NOW)
    assert result.outcome is Outcome.REFERRED and result.action is Action.AGENT
    assert check(result, Check.DUPLICATE_REQUEST).details == {"line_id": "L1", "other_ticket_id": "tkt-0"}
    refunded = ticket(the_order, "refund_only", ticket_id="tkt-0", quantity=1, status=Status.REFUNDED)
    result = evaluate(RULES, mine, the_order, [refunded], NOW)
    assert result.outcome is Outcome.REFERRED and result.reason == "eligibility.previously_refunded"


def test_quantities_already_refunded_or_held_are_not_left():
    """GIVEN 2 mugs bought and 1 refunded before WHEN 2 are asked for again THEN quantity_left fails."""
    the_order = delivered(3)
    refunded = ticket(the_order, "refund_only", ticket_id="tkt-0", quantity=1, status=Status.REFUNDED)
    result = evaluate(RULES, ticket(the_order, quantity=2), the_order, [refunded], NOW)
    assert check(result, Check.QUANTITY_LEFT).details == {"line_id": "L1", "requested": 2, "left": 1}
    assert result.outcome is Outcome.INELIGIBLE


@pytest.mark.parametrize("refund_policy", ["refuse", "allow"])
def test_the_rules_decide_what_an_earlier_refund_does(refund_policy):
    the_order = delivered(3)
    rules = IntakeRules.model_validate({"tenant_id": "acme", "version": 2,
                                        "rules": [{"id": "all", "previous_refund": refund_policy}]})
    refunded = ticket(the_order, "refund_only", ticket_id="tkt-0", quantity=1, status=Status.REFUNDED)
    result = evaluate(rules, ticket(the_order), the_order, [refunded], NOW)
    assert result.outcome is (Outcome.INELIGIBLE if refund_policy == "refuse" else Outcome.ELIGIBLE)


def test_a_damage_claim_without_evidence_media_stays_for_an_agent():
    the_order = delivered(3)
    result = evaluate(RULES, ticket(the_order, reason="damaged"), the_order, [], NOW)
    assert result.outcome is Outcome.UNKNOWN and result.reason == "eligibility.evidence_missing"
    assert result.missing == ("evidence.photos",)


def test_a_damage_claim_with_ready_evidence_media_passes_the_evidence_check():
    the_order = delivered(3)
    claim = ticket(the_order, reason="damaged").model_copy(update={"media_ids": ["med_1", "med_2"]})
    result = evaluate(RULES, claim, the_order, [], NOW)
    evidence = next(c for c in result.checks if c.check.value == "evidence")
    assert evidence.verdict.value == "pass" and evidence.details["media"] == 2
    assert result.outcome is Outcome.ELIGIBLE


def test_a_failure_wins_over_unknown_and_the_tenant_may_send_ineligible_tickets_to_an_agent():
    the_order = delivered(45)
    assert evaluate(RULES, ticket(the_order, reason="damaged"), the_order, [], NOW).outcome is Outcome.INELIGIBLE
    repair = evaluate(RULES, ticket(delivered(400), "repair"), delivered(400), [], NOW)
    assert repair.outcome is Outcome.INELIGIBLE and repair.action is Action.AGENT


def test_complaints_are_not_checked():
    the_order = delivered(3)
    complaint = ticket(the_order, "refund_only").model_copy(update={"type": "complaint", "lines": []})
    assert evaluate(RULES, complaint, the_order, [], NOW) is None
