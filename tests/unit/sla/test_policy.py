"""SLA policy validation and rule matching."""

import pytest

from aftersales.sla.policy import PolicyRejected, validate_policy

CALENDARS = {"cn"}


def rule(rule_id, match=None, precedence=None, **targets):
    targets = targets or {"resolution": {"duration": "PT72H", "calendar_id": "cn"}}
    return {"rule_id": rule_id, "match": match or {}, "precedence": precedence, "targets": targets}


def policy(*rules):
    return {"tenant_id": "t1", "rules": list(rules)}


def rejected_paths(data) -> dict[str, str]:
    with pytest.raises(PolicyRejected) as caught:
        validate_policy(data, CALENDARS)
    return {i.path: i.message for i in caught.value.issues}


def test_a_full_target_is_accepted(facts):
    """GIVEN a target with reminders, two escalation levels and a capped auto-approval
    WHEN validated THEN it is saved as given."""
    target = {
        "duration": "PT24H",
        "clock": "calendar",
        "reminders": [0.5, 0.75],
        "escalations": [
            {"level": 1, "to_role": "supervisor"},
            {"level": 2, "to_role": "regional_lead", "after_breach": "PT4H"},
        ],
        "default_action": {
            "kind": "auto_approve_refund_under_cap",
            "after_breach": "PT8H",
            "cap": {"amount": 20000, "currency": "CNY"},
        },
    }
    saved = validate_policy(policy(rule("r1", refund_issued_after_return_received=target)), CALENDARS)
    chosen = saved.target_for(facts, "refund_issued_after_return_received")
    assert chosen.default_action.cap.amount == 20000
    assert [e.to_role for e in chosen.escalations] == ["supervisor", "regional_lead"]


def test_most_specific_rule_wins_per_metric(facts):
    """GIVEN a catch-all rule and a vip+web rule for first_response only
    WHEN matching a vip web return THEN first_response from the vip rule, resolution from the catch-all."""
    saved = validate_policy(
        policy(
            rule(
                "all",
                first_response={"duration": "PT8H", "calendar_id": "cn"},
                resolution={"duration": "PT72H", "calendar_id": "cn"},
            ),
            rule(
                "vip",
                {"customer_tier": "vip", "channel": "web"},
                first_response={"duration": "PT1H", "calendar_id": "cn"},
            ),
        ),
        CALENDARS,
    )
    assert saved.target_for(facts, "first_response").duration.total_seconds() == 3600
    assert saved.target_for(facts, "resolution").duration.total_seconds() == 72 * 3600
    assert saved.target_for(facts, "inspection_after_receipt") is None


def test_precedence_breaks_ties_between_equally_specific_rules(facts):
    """GIVEN a type rule and a tier rule, both matching, the tier rule with higher precedence
    WHEN matching THEN the tier rule wins."""
    saved = validate_policy(
        policy(
            rule(
                "by_type",
                {"ticket_type": "return"},
                precedence=1,
                resolution={"duration": "PT48H", "calendar_id": "cn"},
            ),
            rule(
                "by_tier",
                {"customer_tier": "vip"},
                precedence=2,
                resolution={"duration": "PT12H", "calendar_id": "cn"},
            ),
        ),
        CALENDARS,
    )
    assert saved.target_for(facts, "resolution").duration.total_seconds() == 12 * 3600


def test_overlapping_equal_specificity_without_precedence_is_rejected():
    """GIVEN two one-criterion rules that can both match a ticket, without precedence
    WHEN validated THEN rejected at the second rule's precedence."""
    paths = rejected_paths(
        policy(rule("by_type", {"ticket_type": "return"}), rule("by_tier", {"customer_tier": "vip"}))
    )
    assert "rules.1.precedence" in paths and "by_type" in paths["rules.1.precedence"]


def test_disjoint_rules_need_no_precedence():
    """GIVEN two rules for different channels WHEN validated THEN accepted."""
    validate_policy(policy(rule("web", {"channel": "web"}), rule("app", {"channel": "app"})), CALENDARS)


@pytest.mark.parametrize(
    ("target", "path"),
    [
        ({"duration": "PT0S", "calendar_id": "cn"}, "rules.0.targets.resolution.duration"),
        ({"duration": "-PT1H", "calendar_id": "cn"}, "rules.0.targets.resolution.duration"),
        (
            {"duration": "PT1H", "calendar_id": "cn", "reminders": [1.0]},
            "rules.0.targets.resolution.reminders.0",
        ),
        (
            {"duration": "PT1H", "calendar_id": "cn", "reminders": [0.0]},
            "rules.0.targets.resolution.reminders.0",
        ),
        ({"duration": "PT1H", "calendar_id": "nowhere"}, "rules.0.targets.resolution.calendar_id"),
        ({"duration": "PT1H"}, "rules.0.targets.resolution"),
        ({"duration": "PT1H", "business_days": 2, "calendar_id": "cn"}, "rules.0.targets.resolution"),
        (
            {"duration": "PT1H", "calendar_id": "cn", "escalations": [{"level": 2, "to_role": "lead"}]},
            "rules.0.targets.resolution.escalations",
        ),
        (
            {
                "duration": "PT1H",
                "calendar_id": "cn",
                "default_action": {"kind": "close", "after_breach": "PT0S"},
            },
            "rules.0.targets.resolution.default_action.close.after_breach",
        ),
    ],
)
def test_invalid_targets_are_rejected_with_field_paths(target, path):
    """GIVEN a zero/negative duration, a reminder outside (0,1), an unknown calendar, a business clock
    without calendar, two budgets, a gap in escalation levels or an immediate "second" breach
    WHEN validated THEN the reason names the field path."""
    assert path in rejected_paths(policy(rule("r", resolution=target)))


def test_unknown_metric_and_duplicate_rule_ids_are_rejected():
    """GIVEN a typo in a metric and a reused rule id WHEN validated THEN both issues are reported."""
    paths = rejected_paths(
        policy(
            rule("r", {"channel": "web"}, resolutoin={"duration": "PT1H", "calendar_id": "cn"}),
            rule("r", {"channel": "app"}),
        )
    )
    assert set(paths) == {"rules.0.targets.resolutoin", "rules.1.rule_id"}


def test_rejection_is_a_422_domain_error():
    """GIVEN a rejected policy WHEN raised THEN it is an InvalidRequest carrying the issues."""
    with pytest.raises(PolicyRejected) as caught:
        validate_policy({"tenant_id": "t1", "rules": []}, CALENDARS)
    assert caught.value.code == "invalid_request"
    assert caught.value.details["issues"][0]["path"] == "rules"
