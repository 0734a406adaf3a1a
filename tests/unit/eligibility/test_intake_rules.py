"""Intake rules: validation (duplicate ids, unreachable rules, a catch-all last) and first-match
scoping per ticket type and channel."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from aftersales.core.errors import Conflict
from aftersales.eligibility.defaults import default_rules
from aftersales.eligibility.rules import IntakeRules
from aftersales.tickets.model import Channel, TicketType

CATCH_ALL = {"id": "everything"}


def _rules(*rules: dict) -> IntakeRules:
    return IntakeRules.model_validate({"tenant_id": "acme", "version": 2, "rules": list(rules)})


def test_the_default_rules_are_valid_and_end_with_a_catch_all():
    rules = default_rules("acme")
    assert rules.status == "published" and rules.rules[-1].when.is_catch_all
    assert rules.rule_for(TicketType.RETURN_REFUND, Channel.WEB).id == "returns"
    assert rules.rule_for(TicketType.REFUND_ONLY, Channel.APP).id == "refunds"


@pytest.mark.parametrize(("rules", "problem"), [
    ([{"id": "a"}, {"id": "a"}], "duplicate rule id"),
    ([{"id": "returns", "when": {"ticket_types": ["return_refund"]}}], "catch-all"),
    ([{"id": "wide", "when": {"ticket_types": ["return_refund", "exchange"]}},
      {"id": "narrow", "when": {"ticket_types": ["exchange"], "channels": ["web"]}}, CATCH_ALL], "unreachable"),
    ([CATCH_ALL, {"id": "after", "when": {"channels": ["web"]}}], "unreachable"),
    ([{"id": "empty", "when": {"channels": []}}, CATCH_ALL], "at least 1"),
    ([{**CATCH_ALL, "return_window_days": -1}], "greater than or equal"),
])
def test_malformed_rules_are_refused_with_the_problem(rules, problem):
    """GIVEN a rules document with one fault WHEN it is validated THEN it is refused, naming it."""
    with pytest.raises(ValidationError, match=problem):
        _rules(*rules)


def test_publishing_twice_is_a_conflict():
    published = _rules(CATCH_ALL).publish()
    assert published.status == "published"
    with pytest.raises(Conflict):
        published.publish()


scopes = st.fixed_dictionaries({}, optional={
    "ticket_types": st.sets(st.sampled_from(list(TicketType)), min_size=1).map(sorted),
    "channels": st.sets(st.sampled_from(list(Channel)), min_size=1).map(sorted)})


@given(scoped=st.lists(scopes, max_size=5), ticket_type=st.sampled_from(list(TicketType)),
       channel=st.sampled_from(list(Channel)))
def test_the_first_rule_whose_scope_holds_decides(scoped, ticket_type, channel):
    """GIVEN any valid rules (invalid ones are refused) WHEN a ticket's type and channel are matched
    THEN the rule chosen is the first whose scope holds, and never one an earlier rule shadows."""
    documents = [{"id": f"r{i}", "when": when} for i, when in enumerate(scoped)] + [CATCH_ALL]
    try:
        rules = _rules(*documents)
    except ValidationError:
        return
    chosen = rules.rule_for(ticket_type, channel)
    first = next(r for r in rules.rules if r.when.matches(ticket_type, channel))
    assert chosen is first
    for earlier in rules.rules[:rules.rules.index(chosen)]:
        assert not earlier.when.matches(ticket_type, channel)
