"""Warrants: the proof a use case hands to the ticket domain before a transition that commits money
or goods may happen.

Some transitions of the tables are *owned* (transitions.Owner): approving or rejecting a pending
approval, entering refund or reshipment, dispatching a repair, settling a refund. The generic
transitions endpoint carries no warrant, so it can never take them; the owning use case builds the
warrant from its own records (the review's decisions, the inspection's results, the provider's
settlement) and the domain checks it where the state changes (domain.transition), whoever calls.

Rules checked here (pure):
- approval: the outcome matches the target; an automatic route is taken only by the platform's own
  automation (Role.SYSTEM); a human route needs at least MIN_APPROVALS[route] approvals from distinct
  people, none of them the requester; a rejection needs a rejecting decision from someone other than
  the requester.
- everything after approval needs the ticket's approval stamp, which only an approval sets.
- inspection: the lines written with the transition carry the inspection result (nothing accepted ->
  only rejection; something accepted -> only refund / reshipment).
- eligibility: a refusal on submission is taken only by automation (Role.SYSTEM), naming the failed checks.
- a sales platform (Douyin) that owns the after-sale moves its own tickets (PlatformDecision), and
  only tickets that came from it.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field

from aftersales.core.errors import Forbidden
from aftersales.core.model import DomainModel
from aftersales.tickets.model import Acceptance, Channel, Role

# Approval routes and the distinct human approvals each needs (approvals/review.py reads this table).
MIN_APPROVALS: dict[str, int] = {"auto_approve": 0, "block": 0, "timeout_default": 0,
                                 "single_review": 1, "supervisor": 1, "dual_review": 2}
AUTOMATIC_ROUTES = frozenset({"auto_approve", "block", "timeout_default"})
SENIOR_ROUTES = {"supervisor": frozenset({"supervisor", "admin"})}
PLATFORM_CHANNELS = {"douyin": Channel.DOUYIN}


class _Warrant(DomainModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReviewerDecision(_Warrant):
    approver_id: str = Field(min_length=1)
    role: str
    verdict: Literal["approve", "reject"]


class ApprovalRecord(_Warrant):
    """What the approval use case decided, with the decisions that decided it."""

    kind: Literal["approval"] = "approval"
    outcome: Literal["approved", "rejected"]
    route: str
    requester_id: str
    rule_id: str | None = None
    policy_version: int | None = None
    decisions: tuple[ReviewerDecision, ...] = ()


class EligibilityRefusal(_Warrant):
    """The intake checks refused the request (eligibility/checks.py): which rules, which checks failed."""

    kind: Literal["eligibility"] = "eligibility"
    rules_version: int = Field(ge=1)
    rule_id: str = Field(min_length=1)
    failed_checks: tuple[str, ...] = Field(min_length=1)


class PlatformDecision(_Warrant):
    """The sales platform that owns the after-sale moved it (a signed push we verified)."""

    kind: Literal["platform"] = "platform"
    platform: Literal["douyin"]
    reference: str = Field(min_length=1)


class FulfilmentStep(_Warrant):
    """The money-path reactor's next node after an approval (refund, repair dispatch)."""

    kind: Literal["fulfilment"] = "fulfilment"


class InspectionRecord(_Warrant):
    """The warehouse's inspection of the returned goods; the result is on the ticket's new lines."""

    kind: Literal["inspection"] = "inspection"


class RefundSettlement(_Warrant):
    """The provider (or the platform) settled a grant: the money has moved."""

    kind: Literal["refund_settlement"] = "refund_settlement"
    grant_id: str = Field(min_length=1)
    provider_refund_id: str = Field(min_length=1)


class RefundDecision(_Warrant):
    """Money staff decided to refund an unrepairable item (neither the requester nor an approver of
    the repair: a second pair of eyes on money the approval did not cover)."""

    kind: Literal["refund_decision"] = "refund_decision"


Warrant = Annotated[ApprovalRecord | EligibilityRefusal | PlatformDecision | FulfilmentStep | InspectionRecord
                    | RefundSettlement | RefundDecision, Field(discriminator="kind")]


class ApprovalStamp(DomainModel):
    """Kept on the ticket from its approval on: who approved under which route (cleared on reopen)."""

    model_config = ConfigDict(frozen=True)

    route: str
    rule_id: str | None = None
    approver_ids: tuple[str, ...] = ()
    seq: int


def refuse(reason: str, **details: object) -> Forbidden:
    return Forbidden("error.warrant_refused", reason=reason, **details)


def check_approval(record: ApprovalRecord, *, target_outcome: str, actor_id: str,
                   actor_roles: frozenset[Role]) -> tuple[str, ...]:
    """The approvers' ids when the record authorises the outcome; Forbidden otherwise."""
    if record.outcome != target_outcome:
        raise refuse("outcome_mismatch", outcome=record.outcome)
    if record.route not in MIN_APPROVALS:
        raise refuse("unknown_route", route=record.route)
    if record.route in AUTOMATIC_ROUTES:
        if Role.SYSTEM not in actor_roles or record.decisions:
            raise refuse("automatic_route_is_automation_only", route=record.route)
        if (record.route == "block") != (target_outcome == "rejected"):
            raise refuse("outcome_mismatch", outcome=record.outcome)
        return ()
    people = [d.approver_id for d in record.decisions]
    if len(set(people)) != len(people):
        raise refuse("approver_decided_twice")
    if record.requester_id in people:
        raise refuse("requester_cannot_decide")
    if actor_id not in people:
        raise refuse("actor_not_a_decider")
    senior = SENIOR_ROUTES.get(record.route)
    if senior is not None and any(d.role not in senior for d in record.decisions):
        raise refuse("route_needs_senior_reviewer", route=record.route)
    if target_outcome == "rejected":
        if not record.decisions or record.decisions[-1].verdict != "reject":
            raise refuse("no_rejecting_decision")
        return tuple(people)
    if any(d.verdict != "approve" for d in record.decisions):
        raise refuse("decision_not_approving")
    if len(people) < MIN_APPROVALS[record.route]:
        raise refuse("not_enough_approvals", required=MIN_APPROVALS[record.route], given=len(people))
    return tuple(people)


def check_platform(decision: PlatformDecision, *, channel: Channel, actor_roles: frozenset[Role]) -> None:
    if Role.SYSTEM not in actor_roles or PLATFORM_CHANNELS[decision.platform] != channel:
        raise refuse("platform_does_not_own_ticket", platform=decision.platform)


def check_inspection(lines_acceptance: list[tuple[Acceptance, int]], *, goods_accepted: bool) -> None:
    """`goods_accepted`: the target refunds or reships; otherwise the target rejects."""
    if any(acceptance == Acceptance.PENDING for acceptance, _ in lines_acceptance):
        raise refuse("lines_not_inspected")
    accepted = any(acceptance == Acceptance.ACCEPTED and quantity > 0 for acceptance, quantity in lines_acceptance)
    if accepted != goods_accepted:
        raise refuse("inspection_result_mismatch")
