"""Human review of a routed ticket: who may decide, and when the review is over.

| route          | may approve                                  | may reject              |
|----------------|----------------------------------------------|-------------------------|
| single_review  | any role                                     | any role                |
| dual_review    | 1st: any role; 2nd: any role, or finance     | any role                |
|                | only when the routing requires finance       |                         |
| supervisor     | supervisor, admin                            | supervisor, admin       |

Everywhere: the requester never decides, one person decides at most once per review, a reject
ends the review, and any decision on a finished review is a Conflict.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import ConfigDict, Field

from aftersales.core.errors import Conflict, Forbidden, InvalidRequest
from aftersales.core.model import DomainModel

from .policy import Route
from .routing import RoutingDecision


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    FINANCE = "finance"
    ARBITRATOR = "arbitrator"
    ADMIN = "admin"


Verdict = Literal["approve", "reject"]
ReviewStatus = Literal["pending", "approved", "rejected"]

_ALL_ROLES = frozenset(Role)
_REVIEWERS: dict[Route, frozenset[Role]] = {
    Route.SINGLE_REVIEW: _ALL_ROLES,
    Route.DUAL_REVIEW: _ALL_ROLES,
    Route.SUPERVISOR: frozenset({Role.SUPERVISOR, Role.ADMIN}),
}


class ReviewDecision(DomainModel):
    model_config = ConfigDict(frozen=True)

    approver_id: str
    role: Role
    verdict: Verdict
    comment: str
    decided_at: datetime
    rule_id: str | None


class ReviewState(DomainModel):
    model_config = ConfigDict(frozen=True)

    tenant_id: str
    ticket_id: str
    requester_id: str
    route: Route
    rule_id: str | None
    requires_finance: bool
    status: ReviewStatus = "pending"
    decisions: tuple[ReviewDecision, ...] = Field(default=())

    @classmethod
    def open(cls, tenant_id: str, ticket_id: str, requester_id: str, routing: RoutingDecision
             ) -> ReviewState:
        if routing.route not in _REVIEWERS:
            raise InvalidRequest("approvals.route_needs_no_review", route=routing.route.value)
        return cls(tenant_id=tenant_id, ticket_id=ticket_id, requester_id=requester_id, route=routing.route,
                   rule_id=routing.rule_id, requires_finance=routing.requires_finance)

    @property
    def required_approvals(self) -> int:
        return 2 if self.route is Route.DUAL_REVIEW else 1

    def eligible_roles(self, verdict: Verdict) -> frozenset[Role]:
        """Roles that may give `verdict` now (the workbench shows the buttons from this)."""
        reviewers = _REVIEWERS[self.route]
        second_dual_approval = (verdict == "approve" and self.route is Route.DUAL_REVIEW
                                and len(self.decisions) == 1)
        if second_dual_approval and self.requires_finance:
            return frozenset({Role.FINANCE})
        return reviewers

    def decide(self, approver_id: str, role: Role, verdict: Verdict, comment: str,
               at: datetime) -> ReviewState:
        self._check_can_decide(approver_id, role, verdict, comment, at)
        decision = ReviewDecision(approver_id=approver_id, role=role, verdict=verdict,
                                  comment=comment, decided_at=at, rule_id=self.rule_id)
        decisions = (*self.decisions, decision)
        return self.model_copy(update={"decisions": decisions, "status": self._status_after(decisions)})

    def _check_can_decide(self, approver_id: str, role: Role, verdict: Verdict, comment: str,
                          at: datetime) -> None:
        if self.status != "pending":
            raise Conflict("approvals.review_already_decided", ticket_id=self.ticket_id,
                           status=self.status)
        if at.tzinfo is None:
            raise InvalidRequest("approvals.decision_time_not_utc_aware")
        if verdict == "reject" and not comment.strip():
            raise InvalidRequest("approvals.reject_needs_comment")
        if approver_id == self.requester_id:
            raise Forbidden("approvals.requester_cannot_decide", approver_id=approver_id)
        if any(d.approver_id == approver_id for d in self.decisions):
            raise Forbidden("approvals.approver_already_decided", approver_id=approver_id)
        allowed = self.eligible_roles(verdict)
        if role not in allowed:
            raise Forbidden("approvals.role_not_allowed", role=role.value,
                            allowed=sorted(r.value for r in allowed))

    def _status_after(self, decisions: tuple[ReviewDecision, ...]) -> ReviewStatus:
        if decisions[-1].verdict == "reject":
            return "rejected"
        return "approved" if len(decisions) >= self.required_approvals else "pending"
