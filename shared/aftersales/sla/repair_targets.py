"""The repair job's SLAs as the SLA engine's targets, with defaults a tenant's policy overrides (pure).

Three metrics of a repair ticket (their clocks are in `policy.DEFAULT_METRIC_CLOCKS`, run on the
notes the repairs context writes on the ticket's chain):

- `repair_accept`               each offer is answered (accepted or declined) within 4 hours;
- `repair_first_visit`          each accepted job is checked in on site within 48 hours;
- `repair_returned_by_provider` the repair is done (repaired or not repairable) within 7 days of
                                its dispatch ("fix within").

Each reminds at a share of its budget, escalates to a supervisor (the merchant's staff) at the
breach, and the first two withdraw the job from its provider and offer it to the next one a while
after the breach (`RedispatchRepair`). A tenant sets its own values with rules of its SLA policy
(`PUT /sla/policy`, e.g. `match: {ticket_type: repair}`); a metric no rule of the tenant's policy
defines keeps its default, and a tenant without a policy gets the defaults for its repairs.
"""

from __future__ import annotations

from datetime import timedelta

from aftersales.sla.policy import (
    DEFAULT_METRIC_CLOCKS,
    EscalationLevel,
    RedispatchRepair,
    RuleMatch,
    SlaPolicy,
    SlaRule,
    Target,
)

REPAIR_TICKET_TYPE = "repair"
DEFAULT_RULE_ID = "repair-defaults"
REPAIR_METRICS = ("repair_accept", "repair_first_visit", "repair_returned_by_provider")
_TO_MERCHANT = (EscalationLevel(level=1, to_role="supervisor"),)

DEFAULT_REPAIR_TARGETS: dict[str, Target] = {
    "repair_accept": Target(duration=timedelta(hours=4), clock="calendar", reminders=(0.5,),
                            escalations=_TO_MERCHANT,
                            default_action=RedispatchRepair(after_breach=timedelta(minutes=15))),
    "repair_first_visit": Target(duration=timedelta(hours=48), clock="calendar", reminders=(0.75,),
                                 escalations=_TO_MERCHANT,
                                 default_action=RedispatchRepair(after_breach=timedelta(hours=1))),
    "repair_returned_by_provider": Target(duration=timedelta(days=7), clock="calendar", reminders=(0.75,),
                                          escalations=_TO_MERCHANT),
}


def with_repair_defaults(policy: SlaPolicy | None, tenant_id: str) -> SlaPolicy:
    """The tenant's policy (or none) plus the repair defaults for every repair metric it does not
    define; the tenant's own metric clocks win over the default ones."""
    defined = {metric for rule in policy.rules for metric in rule.targets} if policy else set()
    missing = {m: t for m, t in DEFAULT_REPAIR_TARGETS.items() if m not in defined}
    clocks = {m: DEFAULT_METRIC_CLOCKS[m] for m in REPAIR_METRICS}
    if policy is not None:
        clocks.update(policy.metric_clocks)
    rules = tuple(policy.rules) if policy else ()
    if missing:
        rules = (*rules, SlaRule(rule_id=DEFAULT_RULE_ID, match=RuleMatch(ticket_type=REPAIR_TICKET_TYPE),
                                 precedence=-1, targets=missing))
    return SlaPolicy(tenant_id=tenant_id, version=policy.version if policy else 1, rules=rules,
                     metric_clocks=clocks)
