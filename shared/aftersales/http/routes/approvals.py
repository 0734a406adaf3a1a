"""Approvals, risk and refunds routes: decide (single and batch), the draft policy (read, edit,
dry run, simulate, publish), a ticket's risk score with reasons, its refund status, the tenant's
refund settings, the refund destination a ticket asks for, the return shipment and the inspection."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import ConfigDict, Field, StrictInt, ValidationError

from aftersales.approvals.policy import ApprovalPolicy
from aftersales.core.errors import DomainError, Forbidden, InvalidRequest
from aftersales.core.model import DomainModel
from aftersales.core.money import Money
from aftersales.core.text import Reason, label
from aftersales.http import errors as http_errors
from aftersales.http.app import actor, app, idempotent_post, json_response, locale, require, tenant, ticket_view
from aftersales.orders.domain import Identifier
from aftersales.refunds.inspection import InspectedLine
from aftersales.refunds.refundable import RefundDestination, TenantRefundSettings
from aftersales.tickets.model import STAFF_ROLES, Role
from aftersales.wiring import services

router = Router()
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


class DestinationRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    destination: RefundDestination


class ReturnShipmentRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    carrier: label(64, min_length=1)
    tracking_number: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9-]+$")
    return_shipping_paid: Money | None = Field(default=None, description="What the customer paid to send it back "
                                               "(refunded when the merchant bears return shipping)")


class InspectionRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    lines: list[InspectedLine] = Field(min_length=1, max_length=500)
    reason: Reason | None = None


def _approvals():
    return services().money.approvals


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
    require(*STAFF)
    return _review_view(_approvals().review(tenant(), ticket_id))


@router.post("/tickets/<ticket_id>/approval/decisions", tags=["approvals"],
             summary="Approve or reject (with comment); the last needed decision resumes the approval flow")
def decide(ticket_id: Annotated[str, Path(max_length=128)], body: DecisionRequest) -> Response[dict]:
    require(*STAFF)
    who = actor()
    return idempotent_post(200, lambda: _review_view(
        _approvals().decide(tenant(), ticket_id, who, body.verdict, body.comment)))


@router.post("/approvals/decisions", tags=["approvals"], summary="Approve or reject many tickets, per-item results")
def decide_batch(body: BatchDecisionRequest) -> Response[dict]:
    require(*STAFF)
    who, loc, tid = actor(), locale(), tenant()

    def compute() -> dict[str, Any]:
        results = []
        for ticket_id in dict.fromkeys(body.ticket_ids):
            try:
                state = _approvals().decide(tid, ticket_id, who, body.verdict, body.comment)
                results.append({"ticket_id": ticket_id, "ok": True, "status": state.status})
            except DomainError as exc:
                error = json.loads(http_errors.domain_error(exc, loc).body)["error"]
                results.append({"ticket_id": ticket_id, "ok": False, "error": error})
        ok = sum(1 for r in results if r["ok"])
        return {"results": results, "succeeded": ok, "failed": len(results) - ok}

    return idempotent_post(200, compute)


# ---------------------------------------------------------------------- policy
def _policy_view(policy: ApprovalPolicy, revision: int | None = None) -> dict[str, Any]:
    return {"policy": policy.model_dump(mode="json"), "revision": revision}


@router.get("/approval-policy", tags=["approval policy"], summary="The published policy (or the default)")
def get_published() -> dict:
    require(*STAFF)
    return _policy_view(_approvals().policy(tenant()))


@router.get("/approval-policy/draft", tags=["approval policy"], summary="The draft policy (ETag = revision)")
def get_draft() -> Response[dict]:
    require(*POLICY_EDITORS)
    policy, revision = _approvals().draft(tenant())
    return json_response(200, _policy_view(policy, revision), {"ETag": f'"{revision}"'})


@router.put("/approval-policy/draft", tags=["approval policy"],
            summary="Replace the draft (rules, default route, finance thresholds); If-Match = revision")
def put_draft(body: dict[str, Any]) -> Response[dict]:
    require(*POLICY_EDITORS)
    raw = app.current_event.headers.get("if-match")
    expected = None
    if raw:
        try:
            expected = int(raw.strip().strip('W/').strip('"'))
        except ValueError:
            raise InvalidRequest("error.bad_if_match", field="header.If-Match") from None
    try:
        policy, revision = _approvals().put_draft(tenant(), body, expected)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidRequest("approvals.policy_invalid", field=path, problem=first["msg"]) from None
    return json_response(200, _policy_view(policy, revision), {"ETag": f'"{revision}"'})


@router.post("/approval-policy/publish", tags=["approval policy"], summary="Publish the draft as a new version")
def publish() -> Response[dict]:
    require(*POLICY_EDITORS)
    return idempotent_post(200, lambda: _policy_view(_approvals().publish(tenant())))


@router.post("/approval-policy/draft/dry-run", tags=["approval policy"],
             summary="Evaluate one ticket against the draft: path, rule and every rule's failed conditions")
def dry_run(body: DryRunRequest) -> dict:
    require(*POLICY_EDITORS)
    return _approvals().dry_run(tenant(), body.ticket_id)


@router.post("/approval-policy/draft/simulations", tags=["approval policy"],
             summary="Replay the newest N tickets against the draft (counts per route, money auto-approved)")
def simulate(body: SimulationRequest) -> dict:
    require(*POLICY_EDITORS)
    return _approvals().simulate(tenant(), body.last).model_dump(mode="json")


# ---------------------------------------------------------------------- risk and refunds
@router.get("/tickets/<ticket_id>/risk", tags=["risk"], summary="The ticket's risk score and its reasons (staff)")
def ticket_risk(ticket_id: Annotated[str, Path(max_length=128)]) -> dict:
    require(*STAFF)
    svc = services()
    who = actor()
    if who.is_customer:
        raise Forbidden("error.role_not_permitted")
    ticket = svc.tickets.get(tenant(), ticket_id, who)
    stored = svc.tickets._store.get_order(tenant(), ticket.order_id)
    from aftersales.risk.service import ticket_risk_keys

    keys = ticket_risk_keys(svc.tickets._store.audit_entries(tenant(), ticket_id))
    assessment = svc.money.risk.assess(tenant(), ticket.customer_id, stored.order, keys=keys)
    return {"ticket_id": ticket_id, **assessment.model_dump(mode="json")}


@router.get("/tickets/<ticket_id>/refund", tags=["refunds"], summary="Refund grants, provider attempts and status")
def refund_status(ticket_id: Annotated[str, Path(max_length=128)]) -> dict:
    return services().money.refunds.status(tenant(), ticket_id, actor())


# ---------------------------------------------------------------------- refund settings and returns
SETTINGS_READERS = (*STAFF, Role.STOREFRONT)
SETTINGS_EDITORS = (Role.ADMIN, Role.STOREFRONT)


@router.get("/refund-settings", tags=["refunds"],
            summary="The tenant's refund settings (restocking fee, alternative destinations, shipping campaign)")
def get_refund_settings() -> dict:
    require(*SETTINGS_READERS)
    return services().money.refunds.settings(tenant()).model_dump(mode="json")


@router.put("/refund-settings", tags=["refunds"], summary="Replace the tenant's refund settings (admin, storefront)")
def put_refund_settings(body: TenantRefundSettings) -> dict:
    require(*SETTINGS_EDITORS)
    return services().money.refunds.put_settings(tenant(), body).model_dump(mode="json")


@router.put("/tickets/<ticket_id>/refund-destination", tags=["refunds"],
            summary="Ask for the refund as store credit / coupon (where offered) or to the original payment")
def put_refund_destination(ticket_id: Annotated[str, Path(max_length=128)], body: DestinationRequest) -> dict:
    return services().money.refunds.request_destination(tenant(), ticket_id, actor(), body.destination)


@router.post("/tickets/<ticket_id>/return-shipment", tags=["refunds"],
             summary="The customer sent the goods back: carrier, tracking number, return shipping paid "
                     "(registers the return parcel; carrier events that came first are matched now)")
def post_return_shipment(ticket_id: Annotated[str, Path(max_length=128)], body: ReturnShipmentRequest
                         ) -> Response[dict]:
    who, loc, svc = actor(), locale(), services()
    return idempotent_post(200, lambda: ticket_view(svc.money.returns.record_shipment(
        tenant(), ticket_id, who, carrier=body.carrier, tracking_number=body.tracking_number,
        return_shipping_paid=body.return_shipping_paid, parcels=svc.channels.logistics, now=svc.clock.now()),
        who, loc))


@router.post("/tickets/<ticket_id>/inspection", tags=["refunds"],
             summary="Record the inspection (received, accepted, damaged, written off per line) and move on")
def post_inspection(ticket_id: Annotated[str, Path(max_length=128)], body: InspectionRequest) -> Response[dict]:
    require(Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
    who, loc = actor(), locale()
    return idempotent_post(200, lambda: ticket_view(services().money.returns.inspect(
        tenant(), ticket_id, who, body.lines, body.reason), who, loc))


class UnrepairableRefundRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")

    reason: Reason


@router.post("/tickets/<ticket_id>/unrepairable-refund", tags=["refunds"],
             summary="Refund an item the repair provider could not fix (finance, supervisor or admin; "
                     "never the requester or an approver of the repair)")
def post_unrepairable_refund(ticket_id: Annotated[str, Path(max_length=128)], body: UnrepairableRefundRequest
                             ) -> Response[dict]:
    require(Role.FINANCE, Role.SUPERVISOR, Role.ADMIN)
    who, loc = actor(), locale()
    return idempotent_post(200, lambda: ticket_view(services().money.refunds.refund_unrepairable(
        tenant(), ticket_id, who, body.reason), who, loc))
