"""SLA: policies, business calendars, deadlines with pauses, staged handling, supervisor figures.

Re-exports load on first use (PEP 562), so importing one submodule does not pull in the
whole context: that keeps the API function's cold start small."""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "Action": "aftersales.sla.stages",
    "AutoApproveRefundUnderCap": "aftersales.sla.policy",
    "BusinessCalendar": "aftersales.sla.calendar",
    "CloseTicket": "aftersales.sla.policy",
    "Contribution": "aftersales.sla.figure_days",
    "ComplianceFigures": "aftersales.sla.figures",
    "DEFAULT_METRIC_CLOCKS": "aftersales.sla.policy",
    "DailyTimeouts": "aftersales.sla.figures",
    "DayBucket": "aftersales.sla.figure_days",
    "Deadline": "aftersales.sla.deadlines",
    "DeadlineState": "aftersales.sla.stages",
    "EscalationLevel": "aftersales.sla.policy",
    "IssueCompensationCoupon": "aftersales.sla.policy",
    "MetricClock": "aftersales.sla.policy",
    "PolicyIssue": "aftersales.sla.policy",
    "PolicyRejected": "aftersales.sla.policy",
    "ResponsibleFigures": "aftersales.sla.figures",
    "RuleMatch": "aftersales.sla.policy",
    "SlaOutcome": "aftersales.sla.figures",
    "SlaPolicy": "aftersales.sla.policy",
    "SlaRule": "aftersales.sla.policy",
    "Stage": "aftersales.sla.deadlines",
    "StatusChange": "aftersales.sla.deadlines",
    "Target": "aftersales.sla.policy",
    "TicketFacts": "aftersales.sla.policy",
    "Weekday": "aftersales.sla.calendar",
    "WorkInterval": "aftersales.sla.calendar",
    "add_business_time": "aftersales.sla.calendar",
    "bucket_delta": "aftersales.sla.figure_days",
    "buckets_between": "aftersales.sla.due_index",
    "business_time_between": "aftersales.sla.calendar",
    "carry_over": "aftersales.sla.stages",
    "compliance": "aftersales.sla.figures",
    "compute_deadlines": "aftersales.sla.deadlines",
    "contribution": "aftersales.sla.figure_days",
    "daily_timeouts": "aftersales.sla.figures",
    "due_actions": "aftersales.sla.stages",
    "due_bucket": "aftersales.sla.due_index",
    "index_bucket": "aftersales.sla.due_index",
    "is_working_at": "aftersales.sla.calendar",
    "next_due_at": "aftersales.sla.stages",
    "policy_issues": "aftersales.sla.policy",
    "record_fired": "aftersales.sla.stages",
    "recorded_breaches": "aftersales.sla.stages",
    "responsible_ranking": "aftersales.sla.figures",
    "validate_policy": "aftersales.sla.policy",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
