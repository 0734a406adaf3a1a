"""Eligibility routes: a ticket's intake checks (each check's verdict and reason, the outcome in the
customer's language); the tenant's intake rules (published, draft with If-Match, dry run, publish)."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import ConfigDict, Field, StrictInt

from aftersales.core.drafts import MAX_VERSION, RollBack
from aftersales.core.i18n import translate
from aftersales.core.model import DomainModel
from aftersales.eligibility.checks import reason_of
from aftersales.eligibility.rules import IntakeRules
from aftersales.http.context import RequestContext, json_response
from aftersales.orders.domain import Identifier
from aftersales.tickets.model import STAFF_ROLES, Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
RULE_EDITORS = (Role.SUPERVISOR, Role.ADMIN)
STAFF = tuple(STAFF_ROLES)


class DryRunRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    ticket_ids: list[Identifier] = Field(default_factory=list, max_length=200,
                                         description="Evaluate these tickets; empty: the newest `last`")
    last: StrictInt = Field(default=50, ge=1, le=200, description="When no ticket_ids: the tenant's newest N tickets")


def _eligibility():
    return services().eligibility


def _rules_view(rules: IntakeRules, revision: int | None = None) -> dict[str, Any]:
    return {"rules": rules.model_dump(mode="json"), "revision": revision}


def _render(evaluation: dict[str, Any], locale: str, customer_locale: str) -> dict[str, Any]:
    checks = [{**check, "message": translate(check["reason"], locale, **check.get("details", {}))}
              for check in evaluation["checks"]]
    reason, params = reason_of(evaluation)
    return {**evaluation, "checks": checks, "message": translate(reason, locale, **params),
            "customer_message": {"locale": customer_locale, "text": translate(reason, customer_locale, **params)}}


@router.get("/tickets/<ticket_id>/eligibility", tags=["eligibility"],
            summary="The ticket's intake checks: each check's verdict and reason, the outcome and what is missing")
def get_ticket_eligibility(ticket_id: Annotated[str, Path(max_length=128)]) -> dict:
    ticket, evaluation, recorded = _eligibility().of_ticket(request.tenant(), ticket_id, request.actor())
    body: dict[str, Any] = {"ticket_id": ticket.id, "status": ticket.status.value, "checked": evaluation is not None,
                            "recorded": recorded}
    if evaluation is not None:
        body["evaluation"] = _render(evaluation, request.locale(), ticket.locale)
    return body


@router.get("/eligibility-rules", tags=["eligibility rules"], summary="The published intake rules (or the default)")
def get_published() -> dict:
    request.require(*STAFF)
    return _rules_view(_eligibility().rules(request.tenant()))


@router.get("/eligibility-rules/versions", tags=["eligibility rules"],
            summary="The published version numbers, newest first")
def list_versions(limit: Annotated[int, Query(ge=1, le=100)] = 50) -> dict:
    request.require(*RULE_EDITORS)
    tenant = request.tenant()
    return {"published": _eligibility().rules(tenant).version, "versions": _eligibility().rules_versions(tenant, limit)}


@router.get("/eligibility-rules/versions/<version>", tags=["eligibility rules"], summary="One published version")
def get_version(version: Annotated[int, Path(ge=0, le=MAX_VERSION)]) -> dict:
    request.require(*RULE_EDITORS)
    return _rules_view(_eligibility().rules_version(request.tenant(), version))


@router.get("/eligibility-rules/draft", tags=["eligibility rules"], summary="The draft intake rules (ETag = revision)")
def get_draft() -> Response[dict]:
    request.require(*RULE_EDITORS)
    rules, revision = _eligibility().draft(request.tenant())
    return json_response(200, _rules_view(rules, revision), {"ETag": f'"{revision}"'})


@router.put("/eligibility-rules/draft", tags=["eligibility rules"],
            summary="Replace the draft (rules per ticket type and channel, non-returnable types); If-Match = revision")
def put_draft(body: dict[str, Any]) -> Response[dict]:
    request.require(*RULE_EDITORS)
    rules, revision = _eligibility().put_draft(request.tenant(), body, request.if_match())
    return json_response(200, _rules_view(rules, revision), {"ETag": f'"{revision}"'})


@router.post("/eligibility-rules/draft/dry-run", tags=["eligibility rules"],
             summary="Evaluate given (or the newest) tickets against the draft, next to the published rules")
def dry_run(body: DryRunRequest) -> dict:
    request.require(*RULE_EDITORS)
    return _eligibility().dry_run(request.tenant(), body.ticket_ids, body.last)


@router.post("/eligibility-rules/publish", tags=["eligibility rules"], summary="Publish the draft as a new version")
def publish() -> Response[dict]:
    request.require(*RULE_EDITORS)
    return request.idempotent_post(200, lambda: _rules_view(_eligibility().publish(request.tenant())))


@router.post("/eligibility-rules/rollback", tags=["eligibility rules"],
             summary="Publish a copy of an earlier version (1: the default rules) as the next version")
def roll_back(body: RollBack) -> Response[dict]:
    request.require(*RULE_EDITORS)
    return request.idempotent_post(200, lambda: _rules_view(_eligibility().roll_back(request.tenant(), body.version)))
