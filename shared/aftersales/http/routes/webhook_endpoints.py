"""Outbound webhook routes: tenants' endpoints (admin staff or an admin key), the signing secret
shown once at create and at rotation, the delivery log, replay of one delivery or of everything
since a time, the test event, and the event catalogue with a JSON Schema per event type.

The responses that carry a secret are not replayed for an Idempotency-Key (the idempotency store
would keep the secret): a retried create makes a second endpoint, which the list shows."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from pydantic import AwareDatetime, ConfigDict, Field

from aftersales.auth.credentials import ApiKeyScope
from aftersales.core.model import DomainModel
from aftersales.http.context import CURSOR_MAX_LENGTH, RequestContext, json_response
from aftersales.tickets.model import Role
from aftersales.webhooks.model import MAX_DESCRIPTION, MAX_FILTERS, MAX_URL, Attempt, Endpoint, Message
from aftersales.webhooks.service import DEFAULT_GRACE, MAX_GRACE, Changes, Issued
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
TAGS = ["webhooks"]
NO_STORE = {"Cache-Control": "no-store"}
EndpointId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^ep_[0-9A-Z]{26}$")]
MessageId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^msg_[0-9A-Z]{26}$")]
EventTypeName = Annotated[str, Field(min_length=3, max_length=100, pattern=r"^[a-z_]+\.([a-z_]+|\*)$",
                                     examples=["ticket.approved", "refund.*"])]


class CreateEndpointRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    url: str = Field(min_length=8, max_length=MAX_URL, description="https only; public addresses only")
    event_types: list[EventTypeName] = Field(default_factory=list, max_length=MAX_FILTERS,
                                             description="Names or families (ticket.*); empty = every event type")
    description: str = Field(default="", max_length=MAX_DESCRIPTION)
    enabled: bool = True


class ChangeEndpointRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    url: str | None = Field(default=None, min_length=8, max_length=MAX_URL)
    event_types: list[EventTypeName] | None = Field(default=None, max_length=MAX_FILTERS)
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)
    enabled: bool | None = Field(default=None, description="true re-enables an endpoint disabled for failing")


class RotateSecretRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    grace_seconds: int = Field(default=int(DEFAULT_GRACE.total_seconds()), ge=0, le=int(MAX_GRACE.total_seconds()),
                               description="How long the replaced secret keeps signing too (0: not at all)")


def _endpoint_view(endpoint: Endpoint) -> dict:
    return {"id": endpoint.endpoint_id, "url": endpoint.url, "event_types": endpoint.event_types,
            "description": endpoint.description, "enabled": endpoint.enabled,
            "disabled_reason": endpoint.disabled_reason, "disabled_at": endpoint.disabled_at,
            "failing_since": endpoint.failing_since,
            "secrets": [{"created_at": s.created_at, "expires_at": s.expires_at} for s in endpoint.secrets],
            "created_at": endpoint.created_at, "updated_at": endpoint.updated_at, "version": endpoint.version}


def _issued_view(issued: Issued) -> dict:
    return {**_endpoint_view(issued.endpoint), "secret": issued.secret}


def _delivery_view(message: Message) -> dict:
    return {"id": message.message_id, "event_type": message.event_type, "status": message.status.value,
            "attempts": message.attempts, "response_code": message.last_status_code,
            "latency_ms": message.last_latency_ms, "error": message.last_error, "created_at": message.created_at,
            "last_attempt_at": message.last_attempt_at, "next_attempt_at": message.next_attempt_at}


def _attempt_view(attempt: Attempt) -> dict:
    return {"number": attempt.number, "trigger": attempt.trigger.value, "at": attempt.at,
            "succeeded": attempt.succeeded, "response_code": attempt.status_code, "latency_ms": attempt.latency_ms,
            "error": attempt.error}


def _admin() -> None:
    request.require(Role.ADMIN, scopes=(ApiKeyScope.ADMIN,))


def _etag(endpoint: Endpoint) -> dict[str, str]:
    return {"ETag": f'"{endpoint.version}"'}


@router.post("/webhook-endpoints", tags=TAGS, status_code=201,
             summary="Register a webhook endpoint (the signing secret is shown once, in this answer)")
def create_endpoint(body: CreateEndpointRequest) -> Response[dict]:
    _admin()
    issued = services().webhook_endpoints.create(request.tenant(), body.url, body.event_types, body.description,
                                                 body.enabled)
    return json_response(201, _issued_view(issued), NO_STORE)


@router.get("/webhook-endpoints", tags=TAGS, summary="The tenant's webhook endpoints (no secrets)")
def list_endpoints() -> dict:
    _admin()
    return {"items": [_endpoint_view(e) for e in services().webhook_endpoints.list(request.tenant())]}


@router.get("/webhook-endpoints/<endpoint_id>", tags=TAGS, summary="A webhook endpoint (no secret)")
def get_endpoint(endpoint_id: EndpointId) -> Response[dict]:
    _admin()
    endpoint = services().webhook_endpoints.get(request.tenant(), endpoint_id)
    return json_response(200, _endpoint_view(endpoint), _etag(endpoint))


@router.patch("/webhook-endpoints/<endpoint_id>", tags=TAGS,
              summary="Change a webhook endpoint's URL, event types, description or enabled flag (If-Match)")
def change_endpoint(endpoint_id: EndpointId, body: ChangeEndpointRequest) -> Response[dict]:
    _admin()
    endpoint = services().webhook_endpoints.change(
        request.tenant(), endpoint_id, Changes(url=body.url, event_types=body.event_types,
                                               description=body.description, enabled=body.enabled),
        request.if_match())
    return json_response(200, _endpoint_view(endpoint), _etag(endpoint))


@router.delete("/webhook-endpoints/<endpoint_id>", tags=TAGS, summary="Delete a webhook endpoint",
               responses={204: {"description": "Deleted", "content": {}}})
def delete_endpoint(endpoint_id: EndpointId) -> Response[None]:
    _admin()
    services().webhook_endpoints.delete(request.tenant(), endpoint_id)
    return Response(status_code=204)


@router.post("/webhook-endpoints/<endpoint_id>/rotate-secret", tags=TAGS,
             summary="A new signing secret (shown once); the old one keeps signing for grace_seconds (default 24 h)")
def rotate_secret(endpoint_id: EndpointId,
                  body: Annotated[RotateSecretRequest | None, Body()] = None) -> Response[dict]:
    _admin()
    grace = timedelta(seconds=(body or RotateSecretRequest()).grace_seconds)
    issued = services().webhook_endpoints.rotate_secret(request.tenant(), endpoint_id, grace)
    return json_response(200, _issued_view(issued), NO_STORE)


@router.get("/webhook-endpoints/<endpoint_id>/deliveries", tags=TAGS,
            summary="The delivery log, newest first: status, response code, latency, attempts")
def list_deliveries(endpoint_id: EndpointId, limit: Annotated[int, Query(ge=1, le=100)] = 50,
                    cursor: Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH)] = None) -> dict:
    _admin()
    listing = request.listing("webhook-deliveries", endpoint_id)
    page = services().webhook_endpoints.deliveries(request.tenant(), endpoint_id, limit=limit,
                                                   cursor=listing.position(cursor))
    return {"items": [_delivery_view(m) for m in page.items], "next_cursor": listing.cursor(page.cursor)}


@router.get("/webhook-endpoints/<endpoint_id>/deliveries/<message_id>", tags=TAGS,
            summary="One delivery with its payload and every attempt")
def get_delivery(endpoint_id: EndpointId, message_id: MessageId) -> dict:
    _admin()
    message, attempts = services().webhook_endpoints.delivery(request.tenant(), endpoint_id, message_id)
    return {**_delivery_view(message), "payload": message.body, "attempt_log": [_attempt_view(a) for a in attempts]}


@router.post("/webhook-endpoints/<endpoint_id>/deliveries/<message_id>/replay", tags=TAGS, status_code=202,
             summary="Send one delivery again (same webhook-id: receivers deduplicate on it)")
def replay_delivery(endpoint_id: EndpointId, message_id: MessageId) -> Response[dict]:
    _admin()
    message = services().webhook_endpoints.replay(request.tenant(), endpoint_id, message_id)
    return json_response(202, {"queued": 1, "id": message.message_id})


@router.post("/webhook-endpoints/<endpoint_id>/replay", tags=TAGS, status_code=202,
             summary="Send again every delivery since a time that did not succeed (at most 1000 per call)")
def replay_since(endpoint_id: EndpointId, since: Annotated[AwareDatetime, Query()]) -> Response[dict]:
    _admin()
    replayed = services().webhook_endpoints.replay_since(request.tenant(), endpoint_id, since)
    return json_response(202, {"queued": replayed.queued, "truncated": replayed.truncated})


@router.post("/webhook-endpoints/<endpoint_id>/test", tags=TAGS, status_code=202,
             summary="Send a webhook.test event to this endpoint")
def send_test(endpoint_id: EndpointId) -> Response[dict]:
    _admin()
    message = services().webhook_endpoints.send_test(request.tenant(), endpoint_id)
    return json_response(202, {"id": message.message_id, "event_type": message.event_type})


@router.get("/webhooks/event-types", tags=TAGS,
            summary="The event catalogue: every event type with the JSON Schema of its data")
def event_types() -> dict:
    from aftersales.webhooks import catalogue

    request.principal()
    return {"envelope": {"type": "the event type", "timestamp": "ISO 8601 UTC", "data": "per the schema"},
            "items": catalogue.event_types()}
