"""Approvals routes: a ticket's review and its decisions (single and batch); the tenant's
approval policy (published, draft with If-Match, dry run, simulation, publish)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import ConfigDict, Field, StrictInt

from aftersales.approvals.policy import ApprovalPolicy
from aftersales.core.drafts import MAX_VERSION, RollBack
from aftersales.core.errors import DomainError
from aftersales.core.model import DomainModel
from aftersales.core.text import Reason
from aftersales.http.context import RequestContext, item_error, json_response
from aftersales.orders.domain import Identifier
from aftersales.tickets.model import STAFF_ROLES, Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
POLICY_EDITORS = (Role.SUPERVISOR, Role.ADMIN)
STAFF = tuple(STAFF_ROLES)


class DecisionRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    verdict: Literal["approve", "reject"]
    comment: Reason = ""


class BatchDecisionRequest(DecisionRequest):
    ticket_ids: list[Identifier] = Field(min_length=1, max_length=100)


class DryRunRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    ticket_id: Identifier


class SimulationRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    last: StrictInt = Field(default=200, ge=1, le=1000, description="Replay the tenant's newest N tickets")


def _approvals():
    return services().approvals


def _review_view(state) -> dict[str, Any]:
    return {"ticket_id": state.ticket_id, "route": state.route.value, "rule_id": state.rule_id,
            "status": state.status, "requires_finance": state.requires_finance,
            "required_approvals": state.required_approvals,
            "eligible_roles": {v: sorted(r.value for r in state.eligible_roles(v)) for v in ("approve", "reject")}
            if state.status == "pending" else {},
            "decisions": [d.model_dump(mode="json") for d in state.decisions]}


# ---------------------------------------------------------------------- decisions
@router.get("/tickets/<ticket_id>/approval", tags=["approvals"], summary="The ticket's review: route, rule, decisions")
def get_review(ticket_id: Annotated[str, Path(max_length=128)]) -> dict:
    request.require(*STAFF)
    return _review_view(_approvals().review(request.tenant(), ticket_id))


@router.post("/tickets/<ticket_id>/approval/decisions", tags=["approvals"],
             summary="Approve or reject (with comment); the last needed decision resumes the approval flow")
def decide(ticket_id: Annotated[str, Path(max_length=128)], body: DecisionRequest) -> Response[dict]:
    request.require(*STAFF)
    who = request.actor()
    return request.idempotent_post(200, lambda: _review_view(
        _approvals().decide(request.tenant(), ticket_id, who, body.verdict, body.comment)))


@router.post("/approvals/decisions", tags=["approvals"], summary="Approve or reject many tickets, per-item results")
def decide_batch(body: BatchDecisionRequest) -> Response[dict]:
    request.require(*STAFF)
    who, loc, tid = request.actor(), request.locale(), request.tenant()

    def compute() -> dict[str, Any]:
        results = []
        for ticket_id in dict.fromkeys(body.ticket_ids):
            try:
                state = _approvals().decide(tid, ticket_id, who, body.verdict, body.comment)
                results.append({"ticket_id": ticket_id, "ok": True, "status": state.status})
            except DomainError as exc:
                results.append({"ticket_id": ticket_id, "ok": False, "error": item_error(exc, loc)})
        ok = sum(1 for r in results if r["ok"])
        return {"results": results, "succeeded": ok, "failed": len(results) - ok}

    return request.idempotent_post(200, compute)


# ---------------------------------------------------------------------- policy
def _policy_view(policy: ApprovalPolicy, revision: int | None = None) -> dict[str, Any]:
    return {"policy": policy.model_dump(mode="json"), "revision": revision}


@router.get("/approval-policy", tags=["approval policy"], summary="The published policy (or the default)")
def get_published() -> dict:
    request.require(*STAFF)
    return _policy_view(_approvals().policy(request.tenant()))


@router.get("/approval-policy/versions", tags=["approval policy"],
            summary="The published version numbers, newest first")
def list_versions(limit: Annotated[int, Query(ge=1, le=100)] = 50) -> dict:
    request.require(*POLICY_EDITORS)
    tenant = request.tenant()
    return {"published": _approvals().policy(tenant).version, "versions": _approvals().policy_versions(tenant, limit)}


@router.get("/approval-policy/versions/<version>", tags=["approval policy"], summary="One published version")
def get_version(version: Annotated[int, Path(ge=0, le=MAX_VERSION)]) -> dict:
    request.require(*POLICY_EDITORS)
    return _policy_view(_approvals().policy_version(request.tenant(), version))


@router.get("/approval-policy/draft", tags=["approval policy"], summary="The draft policy (ETag = revision)")
def get_draft() -> Response[dict]:
    request.require(*POLICY_EDITORS)
    policy, revision = _approvals().draft(request.tenant())
    return json_response(200, _policy_view(policy, revision), {"ETag": f'"{revision}"'})


@router.put("/approval-policy/draft", tags=["approval policy"],
            summary="Replace the draft (rules, default route, finance thresholds); If-Match = revision")
def put_draft(body: dict[str, Any]) -> Response[dict]:
    request.require(*POLICY_EDITORS)
    policy, revision = _approvals().put_draft(request.tenant(), body, request.if_match())
    return json_response(200, _policy_view(policy, revision), {"ETag": f'"{revision}"'})


@router.post("/approval-policy/publish", tags=["approval policy"], summary="Publish the draft as a new version")
def publish() -> Response[dict]:
    request.require(*POLICY_EDITORS)
    return request.idempotent_post(200, lambda: _policy_view(_approvals().publish(request.tenant())))


@router.post("/approval-policy/rollback", tags=["approval policy"],
             summary="Publish a copy of an earlier version (1: the default policy) as the next version")
def roll_back(body: RollBack) -> Response[dict]:
    request.require(*POLICY_EDITORS)
    return request.idempotent_post(200, lambda: _policy_view(_approvals().roll_back(request.tenant(), body.version)))


@router.post("/approval-policy/draft/dry-run", tags=["approval policy"],
             summary="Evaluate one ticket against the draft: path, rule and every rule's failed conditions")
def dry_run(body: DryRunRequest) -> dict:
    request.require(*POLICY_EDITORS)
    return _approvals().dry_run(request.tenant(), body.ticket_id)


@router.post("/approval-policy/draft/simulations", tags=["approval policy"],
             summary="Replay the newest N tickets against the draft (counts per route, money auto-approved)")
def simulate(body: SimulationRequest) -> dict:
    request.require(*POLICY_EDITORS)
    return _approvals().simulate(request.tenant(), body.last).model_dump(mode="json")
