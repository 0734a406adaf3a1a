"""Per-tenant SLA policy: targets per ticket type × tier × channel (× priority), validated at save.

A rule may leave any criterion open. For each metric the most specific rule defining it wins
(most criteria set); among equally specific rules the higher `precedence` wins. Rules that
could match the same ticket at the same specificity must therefore carry distinct precedences.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from datetime import timedelta
from itertools import combinations, pairwise
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    PositiveInt,
    ValidationError,
    field_validator,
    model_validator,
)

from aftersales.core.errors import InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.core.money import Money

_Frozen = ConfigDict(frozen=True, extra="forbid")
ReminderFraction = Annotated[float, Field(gt=0, lt=1)]
CRITERIA = ("ticket_type", "customer_tier", "channel", "priority")


def _positive(value: timedelta) -> timedelta:
    if value <= timedelta(0):
        raise ValueError("duration must be positive")
    return value


def _not_negative(value: timedelta) -> timedelta:
    if value < timedelta(0):
        raise ValueError("duration must not be negative")
    return value


PositiveDuration = Annotated[timedelta, AfterValidator(_positive)]
NonNegativeDuration = Annotated[timedelta, AfterValidator(_not_negative)]


class AutoApproveRefundUnderCap(DomainModel):
    model_config = _Frozen
    kind: Literal["auto_approve_refund_under_cap"] = "auto_approve_refund_under_cap"
    cap: Money
    after_breach: PositiveDuration


class IssueCompensationCoupon(DomainModel):
    model_config = _Frozen
    kind: Literal["issue_compensation_coupon"] = "issue_compensation_coupon"
    value: Money
    after_breach: PositiveDuration


class CloseTicket(DomainModel):
    model_config = _Frozen
    kind: Literal["close"] = "close"
    after_breach: PositiveDuration


class RedispatchRepair(DomainModel):
    """A repair job its provider let run past its deadline (not accepted, not visited in time) is
    withdrawn from that provider and offered to the next eligible one (repairs/service.py)."""

    model_config = _Frozen
    kind: Literal["redispatch_repair"] = "redispatch_repair"
    after_breach: PositiveDuration


# Fired on the "second breach": `after_breach` of further clock time past the due moment.
DefaultAction = Annotated[
    AutoApproveRefundUnderCap | IssueCompensationCoupon | CloseTicket | RedispatchRepair,
    Field(discriminator="kind"),
]


class EscalationLevel(DomainModel):
    model_config = _Frozen
    level: PositiveInt
    to_role: str = Field(min_length=1, examples=["supervisor", "regional_lead"])
    after_breach: NonNegativeDuration = timedelta(0)


class Target(DomainModel):
    """The time budget of one metric. Give either `duration` or `business_days`."""

    model_config = _Frozen

    duration: PositiveDuration | None = None
    business_days: PositiveInt | None = None
    clock: Literal["business", "calendar"] = "business"
    calendar_id: str | None = None
    reminders: tuple[ReminderFraction, ...] = ()
    escalations: tuple[EscalationLevel, ...] = ()
    default_action: DefaultAction | None = None

    @field_validator("reminders")
    @classmethod
    def _increasing_reminders(cls, value: tuple[float, ...]) -> tuple[float, ...]:
        if list(value) != sorted(set(value)):
            raise ValueError("reminder fractions must be strictly increasing")
        return value

    @field_validator("escalations")
    @classmethod
    def _consecutive_levels(cls, value: tuple[EscalationLevel, ...]) -> tuple[EscalationLevel, ...]:
        if [e.level for e in value] != list(range(1, len(value) + 1)):
            raise ValueError("escalation levels must be 1, 2, ... in order")
        if any(later.after_breach < earlier.after_breach for earlier, later in pairwise(value)):
            raise ValueError("a higher escalation level cannot come before a lower one")
        return value

    @model_validator(mode="after")
    def _one_budget_on_a_fitting_clock(self) -> Target:
        if (self.duration is None) == (self.business_days is None):
            raise ValueError("give exactly one of duration or business_days")
        if self.clock == "business" and self.calendar_id is None:
            raise ValueError("business clock needs a calendar_id")
        if self.clock == "calendar" and self.calendar_id is not None:
            raise ValueError("calendar clock takes no calendar_id")
        if self.clock == "calendar" and self.business_days is not None:
            raise ValueError("business_days needs the business clock")
        return self


class TicketFacts(DomainModel):
    """What the policy matches on, plus the ticket's identity."""

    model_config = _Frozen
    tenant_id: str
    ticket_id: str
    ticket_type: str
    customer_tier: str
    channel: str
    priority: str | None = None


class RuleMatch(DomainModel):
    """Criteria of a rule; None matches anything."""

    model_config = _Frozen
    ticket_type: str | None = None
    customer_tier: str | None = None
    channel: str | None = None
    priority: str | None = None

    @property
    def specificity(self) -> int:
        return sum(getattr(self, c) is not None for c in CRITERIA)

    def matches(self, facts: TicketFacts) -> bool:
        return all(getattr(self, c) in (None, getattr(facts, c)) for c in CRITERIA)

    def can_overlap(self, other: RuleMatch) -> bool:
        """Whether some ticket could match both."""
        return all(
            None in (getattr(self, c), getattr(other, c)) or getattr(self, c) == getattr(other, c)
            for c in CRITERIA
        )


class SlaRule(DomainModel):
    model_config = _Frozen
    rule_id: str = Field(min_length=1)
    match: RuleMatch = RuleMatch()
    precedence: int | None = None
    targets: dict[str, Target] = Field(min_length=1)


class MetricClock(DomainModel):
    """When a metric's clock starts, stops and stands still.

    History entries are matched by their status and their event name. A repeating metric
    (next_response) starts a new cycle at the next start after each stop.
    """

    model_config = _Frozen
    starts_on: frozenset[str] = Field(min_length=1)
    stops_on: frozenset[str] = Field(min_length=1)
    pauses_in: frozenset[str] = frozenset()
    repeats: bool = False


# "return_in_transit" is the ticket status; "in_transit_return" kept for policies already saved.
_PAUSE_STATUSES = frozenset({"waiting_customer", "return_in_transit", "in_transit_return"})

DEFAULT_METRIC_CLOCKS: dict[str, MetricClock] = {
    "first_response": MetricClock(
        starts_on={"created"}, stops_on={"agent_replied"}, pauses_in=_PAUSE_STATUSES
    ),
    "next_response": MetricClock(
        starts_on={"customer_replied"}, stops_on={"agent_replied"}, pauses_in=_PAUSE_STATUSES, repeats=True
    ),
    "resolution": MetricClock(
        starts_on={"created"}, stops_on={"resolved", "closed"}, pauses_in=_PAUSE_STATUSES
    ),
    "inspection_after_receipt": MetricClock(starts_on={"return_received"}, stops_on={"inspected"}),
    "refund_issued_after_return_received": MetricClock(
        starts_on={"return_received"}, stops_on={"refund_issued"}
    ),
    "repair_returned_by_provider": MetricClock(starts_on={"sent_to_repair"}, stops_on={"repair_returned"}),
    # A repair job's provider: each offer is answered in time (a decline, a lapse or a withdrawal
    # stops it too), each accepted job is visited in time; the notes repairs writes on the ticket.
    "repair_accept": MetricClock(
        starts_on={"repair_offered"},
        stops_on={"repair_accepted", "repair_declined", "repair_offer_expired", "repair_withdrawn", "closed"},
        repeats=True,
    ),
    "repair_first_visit": MetricClock(
        starts_on={"repair_accepted"},
        stops_on={"repair_in_progress", "repair_withdrawn", "repair_returned", "closed"},
        repeats=True,
    ),
    # The customer's own wait runs exactly while we wait for the customer, so it never pauses.
    "customer_reply_wait": MetricClock(
        starts_on={"waiting_customer"}, stops_on={"customer_replied", "resolved", "closed"}, repeats=True
    ),
}


class SlaPolicy(DomainModel):
    model_config = _Frozen
    tenant_id: str = Field(min_length=1)
    version: PositiveInt = 1
    rules: tuple[SlaRule, ...] = Field(min_length=1)
    metric_clocks: dict[str, MetricClock] = Field(default_factory=lambda: dict(DEFAULT_METRIC_CLOCKS))

    def target_for(self, facts: TicketFacts, metric: str) -> Target | None:
        """The target of the most specific matching rule defining `metric`, then highest precedence."""
        candidates = [r for r in self.rules if metric in r.targets and r.match.matches(facts)]
        if not candidates:
            return None
        best = max(candidates, key=lambda r: (r.match.specificity, r.precedence or 0))
        return best.targets[metric]


class PolicyIssue(DomainModel):
    model_config = _Frozen
    path: str
    message: str


class PolicyRejected(InvalidRequest):
    """422: the policy was not saved; `details["issues"]` lists path + message pairs."""

    def __init__(self, issues: list[PolicyIssue]) -> None:
        super().__init__("sla.policy_rejected", issues=[i.model_dump() for i in issues])
        self.issues = issues


def validate_policy(data: Mapping[str, Any], known_calendar_ids: Collection[str]) -> SlaPolicy:
    """Parse and check a policy before it is saved; raises PolicyRejected with every issue found."""
    try:
        policy = SlaPolicy.model_validate(data)
    except ValidationError as exc:
        raise PolicyRejected(
            [PolicyIssue(path=".".join(str(p) for p in e["loc"]), message=e["msg"]) for e in exc.errors()]
        ) from exc
    issues = policy_issues(policy, known_calendar_ids)
    if issues:
        raise PolicyRejected(issues)
    return policy


def policy_issues(policy: SlaPolicy, known_calendar_ids: Collection[str]) -> list[PolicyIssue]:
    """Checks that need the whole policy or the tenant's calendars."""
    return [*_target_issues(policy, known_calendar_ids), *_ambiguity_issues(policy)]


def _target_issues(policy: SlaPolicy, known_calendar_ids: Collection[str]) -> Iterator[PolicyIssue]:
    for index, rule in enumerate(policy.rules):
        for metric, target in rule.targets.items():
            path = f"rules.{index}.targets.{metric}"
            if metric not in policy.metric_clocks:
                yield PolicyIssue(path=path, message=f"unknown metric {metric!r}")
            if target.calendar_id is not None and target.calendar_id not in known_calendar_ids:
                yield PolicyIssue(
                    path=f"{path}.calendar_id", message=f"unknown calendar {target.calendar_id!r}"
                )


def _ambiguity_issues(policy: SlaPolicy) -> Iterator[PolicyIssue]:
    seen_ids: dict[str, int] = {}
    for index, rule in enumerate(policy.rules):
        if rule.rule_id in seen_ids:
            yield PolicyIssue(
                path=f"rules.{index}.rule_id",
                message=f"rule_id {rule.rule_id!r} already used by rules.{seen_ids[rule.rule_id]}",
            )
        seen_ids.setdefault(rule.rule_id, index)
    for (i, a), (j, b) in combinations(enumerate(policy.rules), 2):
        shared = sorted(a.targets.keys() & b.targets.keys())
        if (
            shared
            and a.match.specificity == b.match.specificity
            and a.match.can_overlap(b.match)
            and (a.precedence is None or b.precedence is None or a.precedence == b.precedence)
        ):
            yield PolicyIssue(
                path=f"rules.{j}.precedence",
                message=f"overlaps rules.{i} ({a.rule_id}) at equal specificity for "
                f"{', '.join(shared)}; give the two rules distinct precedences",
            )
