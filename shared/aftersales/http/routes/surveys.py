"""Survey routes. The survey page and its answer are public (the signed token in the path is the
credential; template.yaml exempts these paths from the authorizer): GET renders the page in the
customer's language, POST takes the answer as a plain form (the page works without JavaScript) or as
JSON, /unsubscribe confirms and records the opt-out. A refused link is a 4xx page, never a 5xx.
Staff read the satisfaction figures and tenant admins the survey rules under /satisfaction."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import parse_qs

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import ConfigDict, Field, StrictInt, ValidationError

from aftersales.core.errors import Conflict, InvalidRequest
from aftersales.core.i18n import translate
from aftersales.core.model import DomainModel
from aftersales.http.context import RequestContext, json_response
from aftersales.surveys.model import DIMENSIONS, MAX_COMMENT, SurveyRules, Tally
from aftersales.surveys.page import refusal_page, survey_page, unsubscribe_page
from aftersales.surveys.service import OpenedSurvey
from aftersales.surveys.tokens import MAX_TOKEN_LENGTH, TokenRefused
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)

STAFF = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
HTML = "text/html; charset=utf-8"
PAGE_HEADERS = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                                           "frame-ancestors 'none'"}
Token = Annotated[str, Path(min_length=1, max_length=MAX_TOKEN_LENGTH)]


class SurveyAnswer(DomainModel):
    model_config = ConfigDict(extra="forbid")
    nps: StrictInt | None = Field(default=None, ge=0, le=10)
    csat: StrictInt | None = Field(default=None, ge=1, le=5)
    comment: str | None = Field(default=None, max_length=MAX_COMMENT)


def _page(status: int, html: str) -> Response[str]:
    return Response(status_code=status, content_type=HTML, headers=PAGE_HEADERS, body=html)


def _refused(exc: TokenRefused) -> Response[str]:
    status = 410 if exc.details.get("reason") == "expired" else 404
    return _page(status, refusal_page(request.locale(), exc.message_id))


def _wants_json() -> bool:
    return (request.header("content-type") or "").split(";")[0].strip().lower() == "application/json"


def _form() -> dict[str, Any]:
    """The answer as sent: a form's fields (empty ones absent; scores as integers) or a JSON object."""
    body = request.event.decoded_body or ""
    if _wants_json():
        data = request.event.json_body
        if not isinstance(data, dict):
            raise InvalidRequest("error.survey_answer_invalid", field="body")
        return data
    fields = {k: v[0] for k, v in parse_qs(body, keep_blank_values=False).items()}
    unknown = sorted(set(fields) - {"nps", "csat", "comment"})
    if unknown:
        raise InvalidRequest("error.survey_answer_invalid", field=f"body.{unknown[0]}")
    for name in ("nps", "csat"):
        if name in fields:
            try:
                fields[name] = int(fields[name])
            except ValueError:
                raise InvalidRequest("error.survey_answer_invalid", field=f"body.{name}") from None
    return fields


def _answer(data: dict[str, Any]) -> SurveyAnswer:
    try:
        return SurveyAnswer.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(p) for p in first.get("loc", ()))
        raise InvalidRequest("error.survey_answer_invalid", field=f"body.{path}" if path else "body") from None


def answer_view(opened: OpenedSurvey) -> dict[str, Any]:
    s = opened.survey
    return {"survey_id": s.survey_id, "kind": s.kind, "status": s.status.value,
            "answer": s.answer.model_dump(mode="json", include={"nps", "csat", "comment", "answered_at", "edited_at"})
            if s.answer else None}


@router.get("/surveys/<token>", include_in_schema=False)
def survey(token: Token) -> Response[str]:
    svc = services().surveys
    try:
        opened = svc.open_link(token)
    except TokenRefused as exc:
        return _refused(exc)
    return _page(200, survey_page(opened.survey, opened.settings, token, services().clock.now()))


@router.post("/surveys/<token>", include_in_schema=False)
def answer_survey(token: Token) -> Response[dict | str]:
    svc = services().surveys
    as_json = _wants_json()
    try:
        opened = svc.open_link(token)
    except TokenRefused as exc:
        if as_json:
            raise
        return _refused(exc)
    try:
        data = _answer(_form())
        opened = svc.answer(token, nps=data.nps, csat=data.csat, comment=data.comment)
    except (InvalidRequest, Conflict) as exc:
        if as_json:
            raise
        status = 409 if isinstance(exc, Conflict) else 422
        problem = translate(exc.message_id, opened.survey.locale, **exc.details)
        return _page(status, survey_page(opened.survey, opened.settings, token, services().clock.now(),
                                         problem=problem))
    if as_json:
        return json_response(200, answer_view(opened))
    return _page(200, survey_page(opened.survey, opened.settings, token, services().clock.now(), saved=True))


@router.get("/surveys/<token>/unsubscribe", include_in_schema=False)
def unsubscribe_form(token: Token) -> Response[str]:
    """A confirmation only: mail scanners follow links, so the opt-out itself is the POST."""
    try:
        opened = services().surveys.open_link(token)
    except TokenRefused as exc:
        return _refused(exc)
    return _page(200, unsubscribe_page(opened.survey, done=False))


@router.post("/surveys/<token>/unsubscribe", include_in_schema=False)
def unsubscribe(token: Token) -> Response[str]:
    try:
        opened = services().surveys.unsubscribe(token)
    except TokenRefused as exc:
        return _refused(exc)
    return _page(200, unsubscribe_page(opened.survey, done=True))


def _figures_row(value: str, tally: Tally) -> dict[str, Any]:
    return {"value": value, **tally.model_dump(), "nps_answers": tally.nps_answers, "nps": tally.nps,
            "csat": tally.csat, "csat_average": round(tally.csat_sum / tally.csat_answers, 2)
            if tally.csat_answers else None, "response_rate": tally.response_rate}


@router.get("/satisfaction/figures", tags=["satisfaction"],
            summary="NPS, CSAT and response rate of one dimension's values in a month or a day (staff)")
def satisfaction_figures(
        dimension: Annotated[str, Query(description=f"One of {', '.join(DIMENSIONS)}", max_length=32)] = "all",
        period: Annotated[str, Query(description="A UTC month (2026-12) or day (2026-12-02) the surveys were "
                                                 "sent in", min_length=7, max_length=10)] = "") -> dict:
    request.require(*STAFF)
    figures = services().surveys.figures(request.tenant(), dimension, period)
    return {"dimension": dimension, "period": period,
            "rows": [_figures_row(value, tally) for value, tally in sorted(figures.items())]}


class SurveyRulesRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    rules: dict[str, Any] = Field(description="Any fields of the survey rules; the rest keep their value")


@router.get("/satisfaction/rules", tags=["satisfaction"], summary="The tenant's survey rules (defaults until saved)")
def survey_rules() -> dict:
    request.require(Role.SUPERVISOR, Role.ADMIN)
    return services().surveys.settings(request.tenant()).model_dump(mode="json")


@router.put("/satisfaction/rules", tags=["satisfaction"],
            summary="Change the tenant's survey rules: delays, throttling windows, quiet hours, reminder, follow-ups")
def save_survey_rules(body: SurveyRulesRequest) -> dict:
    request.require(Role.ADMIN)
    tenant_id = request.tenant()
    current = services().surveys.settings(tenant_id).model_dump(mode="json")
    try:
        rules = SurveyRules.model_validate({**current, **body.rules, "tenant_id": tenant_id})
    except ValidationError as exc:
        first = exc.errors()[0]
        path = ".".join(str(p) for p in first.get("loc", ()))
        raise InvalidRequest("error.survey_rules_invalid", field=f"body.rules.{path}") from None
    return services().surveys.save_settings(rules).model_dump(mode="json")
