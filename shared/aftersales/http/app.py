"""The REST API: one Powertools resolver with validation and generated OpenAPI.

This module builds the resolver, turns errors into answers (aftersales.http.errors) and includes
one router per resource (aftersales.http.routes.*); it holds no routes of its own. Routes stay
thin: read the request (aftersales.http.context), call one use case, render a view.
"""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, Response
from aws_lambda_powertools.event_handler.openapi.exceptions import RequestValidationError
from aws_lambda_powertools.event_handler.openapi.models import APIKey, APIKeyIn, HTTPBearer
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyValidationError,
)

from aftersales.core.errors import DomainError
from aftersales.core.i18n import translate
from aftersales.http import errors as http_errors
from aftersales.http import openapi
from aftersales.http.context import RequestContext
from aftersales.http.routes import (
    analytics,
    api_keys,
    approvals,
    auth,
    channels,
    cross_border,
    dispatch,
    disputes,
    docs,
    eligibility,
    exports,
    helpdesks,
    inbox,
    integrations,
    knowledge_base,
    media,
    moderation,
    orders,
    parcels,
    refunds,
    repair_charges,
    repair_parcels,
    repairs,
    returns,
    reviews,
    risk,
    sentiment,
    sla,
    surveys,
    ticket_types,
    tickets,
    tracking,
    webhook_endpoints,
)

app = APIGatewayRestResolver(
    enable_validation=True,
    serializer=lambda obj: json.dumps(obj, ensure_ascii=False, separators=(",", ":"), default=str),
)
app.enable_swagger(
    path="/swagger", title=openapi.TITLE, version=openapi.VERSION, description=openapi.DESCRIPTION,
    swagger_base_url=docs.SWAGGER_ASSETS_URL,  # the assets come from this API (routes/docs.py), not a CDN
    security_schemes={"apiKey": APIKey(name="X-Api-Key", in_=APIKeyIn.header),
                      "bearer": HTTPBearer(bearerFormat="JWT")},
    security=[{"apiKey": []}, {"bearer": []}],
)
request = RequestContext(app)


# ---------------------------------------------------------------------- errors
@app.exception_handler(DomainError)
def on_domain_error(exc: DomainError) -> Response:
    return http_errors.domain_error(exc, request.locale())


@app.exception_handler(RequestValidationError)
def on_validation_error(exc: RequestValidationError) -> Response:
    return http_errors.validation_error(exc, request.locale())


@app.exception_handler(IdempotencyValidationError)
def on_idempotency_mismatch(_: IdempotencyValidationError) -> Response:
    return http_errors.error_response(422, "idempotency_key_reused",
                                      translate("error.idempotency_key_reused", request.locale()))


@app.exception_handler(IdempotencyAlreadyInProgressError)
def on_idempotency_in_progress(_: IdempotencyAlreadyInProgressError) -> Response:
    return http_errors.error_response(409, "idempotency_in_progress",
                                      translate("error.idempotency_in_progress", request.locale()))


@app.not_found
def on_not_found(_: Exception) -> Response:
    return http_errors.error_response(404, "route_not_found",
                                      translate("error.route_not_found", request.locale()))


# ---------------------------------------------------------------------- routers, one per resource
# One resolver, one OpenAPI document; the order is the order of the published document's paths.
for resource in (docs, orders, tickets, ticket_types, auth, eligibility, approvals, risk, refunds, returns,
                 cross_border, sla, dispatch, integrations, parcels, channels, inbox, api_keys, media, reviews,
                 surveys, moderation, sentiment, disputes, webhook_endpoints, repairs, repair_parcels, repair_charges,
                 analytics, exports, tracking, knowledge_base, helpdesks):
    app.include_router(resource.router)
