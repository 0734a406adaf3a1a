from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from aftersales.approvals.defaults import default_policy
from aftersales.approvals.facts import HistoryWindow, ProductFacts
from aftersales.approvals.policy import ApprovalPolicy, Route
from aftersales.approvals.routing import explain, route
from aftersales.core.money import Money
from tests.support.approvals import build_facts

DEFAULT = default_policy("t1")


def policy(rules: list[dict], **extra) -> ApprovalPolicy:
    return ApprovalPolicy.model_validate(
        {"tenant_id": "t1", "version": 7, "default_route": "single_review", "rules": rules, **extra})


def test_first_matching_rule_wins(make_facts):
    """GIVEN two rules that both match WHEN routed THEN the earlier one decides."""
    both = policy([{"id": "web", "when": {"channels": ["web"]}, "route": "supervisor"},
                   {"id": "returns", "when": {"ticket_types": ["return"]}, "route": "block"}])
    decision = route(both, make_facts())
    assert (decision.route, decision.rule_id, decision.policy_version) == (Route.SUPERVISOR, "web", 7)
    assert decision.reasons[0].code == "rule_matched"


def test_default_route_when_nothing_matches(make_facts):
    """GIVEN no matching rule WHEN routed THEN the default route applies without a rule id."""
    decision = route(policy([{"id": "app", "when": {"channels": ["app"]}, "route": "block"}]), make_facts())
    assert (decision.route, decision.rule_id) == (Route.SINGLE_REVIEW, None)
    assert [r.code for r in decision.reasons] == ["default_route"]


def test_amount_condition_in_another_currency_does_not_match(make_facts):
    """GIVEN a USD amount rule WHEN a CNY ticket of the same number arrives THEN it does not match."""
    usd = policy([{"id": "usd-small", "when": {"amount": {"max": {"amount": 10_000, "currency": "USD"}}},
                   "route": "auto_approve"}])
    assert route(usd, make_facts(amount=100, currency="CNY")).rule_id is None
    assert route(usd, make_facts(amount=100, currency="USD")).rule_id == "usd-small"


def test_amount_bounds_are_inclusive(make_facts):
    """GIVEN min 100 max 200 WHEN amounts 99/100/200/201 arrive THEN only the bounds and inside match."""
    band = policy([{"id": "band", "route": "block", "when": {"amount": {
        "min": {"amount": 100, "currency": "CNY"}, "max": {"amount": 200, "currency": "CNY"}}}}])
    assert [route(band, make_facts(amount=a)).rule_id for a in (99, 100, 200, 201)] == [
        None, "band", "band", None]


def test_any_line_matches_product_conditions(make_facts):
    """GIVEN a rule on category 'luxury' WHEN one of two lines is luxury THEN it matches."""
    luxury = policy([{"id": "lux", "when": {"product_categories": ["luxury"]}, "route": "dual_review"}])
    lines = (ProductFacts(product_type="physical", category="apparel"),
             ProductFacts(product_type="physical", category="luxury"))
    assert route(luxury, make_facts(lines=lines)).rule_id == "lux"
    assert route(luxury, make_facts()).rule_id is None


def test_history_condition_reads_its_window_and_needs_it(make_facts):
    """GIVEN a 90-day history rule WHEN facts carry only 30 days THEN no match; with 90 days, match."""
    repeat = policy([{"id": "repeat", "route": "supervisor",
                      "when": {"history": {"window_days": 90, "count": {"min": 3}}}}])
    assert route(repeat, make_facts(history_count=5)).rule_id is None
    ninety = (HistoryWindow(days=90, count=3, amount=Money.zero("CNY")),)
    assert route(repeat, make_facts(history=ninety)).rule_id == "repeat"


def test_history_amount_condition(make_facts):
    """GIVEN a rule on 30-day after-sales amount WHEN the customer's window exceeds it THEN it matches."""
    heavy = policy([{"id": "heavy", "route": "supervisor", "when": {"history": {
        "window_days": 30, "amount": {"min": {"amount": 50_000, "currency": "CNY"}}}}}])
    window = (HistoryWindow(days=30, count=1, amount=Money(amount=60_000, currency="CNY")),)
    assert route(heavy, make_facts(history=window)).rule_id == "heavy"
    assert route(heavy, make_facts()).rule_id is None


def test_risk_flags_match_any(make_facts):
    """GIVEN a rule listing two flags WHEN the assessment carries one of them THEN it matches."""
    flagged = policy([{"id": "cluster", "route": "supervisor",
                       "when": {"risk_flags": ["shared_device_cluster", "shared_ip_cluster"]}}])
    assert route(flagged, make_facts(flags=frozenset({"shared_ip_cluster"}))).rule_id == "cluster"
    assert route(flagged, make_facts(flags=frozenset({"new_account"}))).rule_id is None


def test_suspected_abuse_upgrades_auto_approve_and_says_why(make_facts):
    """GIVEN an auto-approve match WHEN the assessment suspects abuse THEN single review, with a reason."""
    decision = route(DEFAULT, make_facts(amount=500, suspected_abuse=True, risk_score=10))
    assert (decision.route, decision.rule_id) == (Route.SINGLE_REVIEW, "auto-small-cny")
    assert decision.reasons[-1].code == "suspected_abuse_needs_human"
    assert decision.reasons[-1].detail["upgraded_to"] == "single_review"


def test_policy_can_send_suspected_abuse_to_dual_review(make_facts):
    """GIVEN abuse_route dual_review WHEN abuse is suspected on an auto route THEN dual review."""
    strict = policy([{"id": "all-auto", "route": "auto_approve"}], abuse_route="dual_review",
                    finance_thresholds=[{"amount": 100_000, "currency": "CNY"}])
    decision = route(strict, make_facts(suspected_abuse=True))
    assert decision.route is Route.DUAL_REVIEW
    assert decision.requires_finance is False


def test_suspected_abuse_does_not_soften_a_stricter_route(make_facts):
    """GIVEN a block route WHEN abuse is suspected THEN the ticket is still blocked."""
    decision = route(DEFAULT, make_facts(risk_score=95, suspected_abuse=True))
    assert (decision.route, decision.rule_id) == (Route.BLOCK, "block-high-risk")


def test_dual_review_above_finance_threshold_requires_finance(make_facts):
    """GIVEN the default policy WHEN 2000.01 / 10000.00 / 10000.01 CNY arrive THEN finance only on the
    last."""
    assert route(DEFAULT, make_facts(amount=200_001)).route is Route.DUAL_REVIEW
    assert route(DEFAULT, make_facts(amount=200_001)).requires_finance is False
    assert route(DEFAULT, make_facts(amount=1_000_000)).requires_finance is False
    decision = route(DEFAULT, make_facts(amount=1_000_001))
    assert decision.requires_finance is True
    assert decision.reasons[-1].code == "finance_approval_required"


def test_dual_review_in_a_currency_without_threshold_requires_finance(make_facts):
    """GIVEN no EUR threshold WHEN a EUR ticket goes to dual review THEN finance is required."""
    dual = policy([{"id": "all", "route": "dual_review"}])
    assert route(dual, make_facts(currency="EUR")).requires_finance is True


def test_default_policy_examples(make_facts):
    """GIVEN the default policy WHEN typical tickets arrive THEN they route as documented."""
    assert route(DEFAULT, make_facts(amount=9_999)).route is Route.AUTO_APPROVE
    assert route(DEFAULT, make_facts(amount=10_000)).route is Route.SINGLE_REVIEW
    assert route(DEFAULT, make_facts(amount=9_999, risk_score=40)).route is Route.SINGLE_REVIEW
    assert route(DEFAULT, make_facts(amount=9_999, history_count=3)).route is Route.SINGLE_REVIEW
    assert route(DEFAULT, make_facts(amount=9_999, currency="USD")).route is Route.AUTO_APPROVE
    assert route(DEFAULT, make_facts(amount=9_999, currency="EUR")).route is Route.SINGLE_REVIEW
    keep_item = make_facts(amount=60_000, ticket_type="refund_only")
    assert route(DEFAULT, keep_item).route is Route.SUPERVISOR


def test_explain_lists_each_rules_failed_conditions(make_facts):
    """GIVEN the default policy WHEN a mid-size risky ticket is explained THEN each rule shows what failed."""
    facts = make_facts(amount=60_000, risk_score=50)
    trace = {e.rule_id: e.failed_conditions for e in explain(DEFAULT, facts)}
    assert trace["block-high-risk"] == ("risk_score",)
    assert trace["auto-small-cny"] == ("amount", "risk_score")
    assert trace["supervisor-keep-item-cny"] == ("ticket_types",)


amounts = st.integers(min_value=0, max_value=10**9)
currencies = st.sampled_from(["CNY", "USD", "EUR", "JPY"])


@given(amount=amounts, currency=currencies, score=st.integers(0, 100), count=st.integers(0, 10))
def test_suspected_abuse_never_auto_approves(amount, currency, score, count):
    """GIVEN any ticket WHEN abuse is suspected THEN the default policy never auto-approves it."""
    facts = build_facts(amount, currency, risk_score=score, suspected_abuse=True, history_count=count)
    assert route(DEFAULT, facts).route is not Route.AUTO_APPROVE


@given(amount=amounts, currency=currencies, score=st.integers(0, 100))
def test_default_policy_auto_approves_only_small_low_risk_amounts(amount, currency, score):
    """GIVEN any amount WHEN the default policy auto-approves THEN it is < 100.00 CNY/USD and score < 40."""
    decision = route(DEFAULT, build_facts(amount, currency, risk_score=score))
    if decision.route is Route.AUTO_APPROVE:
        assert currency in {"CNY", "USD"} and amount < 10_000 and score < 40


@given(amount=amounts, currency=currencies, score=st.integers(0, 100))
def test_route_agrees_with_the_explained_first_match(amount, currency, score):
    """GIVEN any ticket WHEN routed and explained THEN the rule chosen is the first the trace marks
    matched."""
    facts = build_facts(amount, currency, risk_score=score)
    first = next((e.rule_id for e in explain(DEFAULT, facts) if e.matched), None)
    assert route(DEFAULT, facts).rule_id == first
