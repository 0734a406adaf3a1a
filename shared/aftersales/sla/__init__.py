"""SLA: policies, business calendars, deadlines with pauses, staged handling, supervisor figures."""

from aftersales.sla.calendar import (
    BusinessCalendar, Weekday, WorkInterval, add_business_time, business_time_between, is_working_at,
)
from aftersales.sla.deadlines import Deadline, Stage, StatusChange, compute_deadlines
from aftersales.sla.due_index import buckets_between, due_bucket, index_bucket
from aftersales.sla.figures import (
    ComplianceFigures, DailyTimeouts, ResponsibleFigures, SlaOutcome, compliance, daily_timeouts,
    responsible_ranking,
)
from aftersales.sla.policy import (
    DEFAULT_METRIC_CLOCKS, AutoApproveRefundUnderCap, CloseTicket, EscalationLevel, IssueCompensationCoupon,
    MetricClock, PolicyIssue, PolicyRejected, RuleMatch, SlaPolicy, SlaRule, Target, TicketFacts,
    policy_issues, validate_policy,
)
from aftersales.sla.stages import (
    Action, DeadlineState, carry_over, due_actions, next_due_at, record_fired, recorded_breaches,
)

__all__ = [
    "DEFAULT_METRIC_CLOCKS", "Action", "AutoApproveRefundUnderCap", "BusinessCalendar", "CloseTicket",
    "ComplianceFigures", "DailyTimeouts", "Deadline", "DeadlineState", "EscalationLevel",
    "IssueCompensationCoupon", "MetricClock", "PolicyIssue", "PolicyRejected", "ResponsibleFigures",
    "RuleMatch", "SlaOutcome", "SlaPolicy", "SlaRule", "Stage", "StatusChange", "Target", "TicketFacts",
    "Weekday", "WorkInterval", "add_business_time", "business_time_between", "buckets_between",
    "carry_over", "compliance", "compute_deadlines", "daily_timeouts", "due_actions", "due_bucket",
    "index_bucket", "is_working_at", "next_due_at", "policy_issues", "record_fired", "recorded_breaches",
    "responsible_ranking", "validate_policy",
]
