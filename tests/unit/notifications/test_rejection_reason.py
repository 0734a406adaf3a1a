"""The rejection notice names the intake checks' reason in the customer's language."""

from __future__ import annotations

from aftersales.eligibility.checks import reason_of
from aftersales.notifications.templates import render

RECORDED = {"outcome": "ineligible", "reason": "eligibility.outside_return_window",
            "checks": [{"check": "order_state", "verdict": "pass", "reason": "eligibility.order_active",
                        "details": {"status": "delivered"}},
                       {"check": "return_window", "verdict": "fail", "reason": "eligibility.outside_return_window",
                        "details": {"window_days": 30, "days_since_delivery": 45}}]}


def test_the_reason_comes_with_the_parameters_of_the_check_that_failed():
    assert reason_of(RECORDED) == ("eligibility.outside_return_window", {"window_days": 30, "days_since_delivery": 45})
    assert reason_of({"reason": "eligibility.eligible", "checks": []}) == ("eligibility.eligible", {})


def test_a_refusal_notice_carries_the_reason_in_the_customers_language():
    """GIVEN a ticket refused by the intake checks WHEN its notice is rendered for a zh-Hans and an en
    customer THEN the body ends with the reason, with its numbers, in that language; without a
    reason the notice is as before."""
    reason, params = reason_of(RECORDED)
    zh = render("ticket.rejected", "zh-Hans", "email", ticket="tkt-1", status="rejected", reason=reason,
                reason_params=params)
    assert zh is not None and zh.body.endswith("已超过签收后 30 天的售后期限（已签收 45 天）。")
    en = render("ticket.rejected", "en", "wecom", ticket="tkt-1", status="rejected", reason=reason,
                reason_params=params)
    assert en is not None and en.body.endswith("The 30-day after-sales window from delivery has passed "
                                               "(45 days since delivery).")
    plain = render("ticket.rejected", "en", "email", ticket="tkt-1", status="rejected")
    assert plain is not None and plain.body == "Request tkt-1 was not approved. Status: Rejected."
