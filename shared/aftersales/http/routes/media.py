"""Media routes: grant an upload (a presigned S3 POST for one file), read a media item (a
short-lived URL only once it is checked and ready), attach evidence media to a ticket."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import ConfigDict, Field, StrictInt

from aftersales.core.i18n import translate
from aftersales.core.model import DomainModel
from aftersales.http.context import RequestContext, json_response, ticket_view
from aftersales.media.model import MediaItem, Purpose
from aftersales.media.service import Shown
from aftersales.orders.domain import Identifier
from aftersales.wiring import services

router = Router()
request = RequestContext(router)


class UploadRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    purpose: Purpose
    content_type: str = Field(min_length=1, max_length=100, examples=["image/jpeg"],
                              description="image/jpeg, image/png, image/webp, image/heic or video/mp4")
    size: StrictInt = Field(ge=1, le=2**40, description="The file's size in bytes (checked against its type's limit)")
    customer_id: Identifier | None = Field(default=None, description="Whose media (staff and storefront calls "
                                           "for evidence and reviews); a customer token uploads its own")


class AttachRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    media_ids: list[Identifier] = Field(min_length=1, max_length=20)


def _view(item: MediaItem, locale: str, url: str | None = None, expires_in: int | None = None) -> dict:
    body = {"id": item.id, "purpose": item.purpose.value, "content_type": item.content_type.value,
            "status": item.status.value, "customer_id": item.customer_id, "created_at": item.created_at,
            "checked_at": item.checked_at, "reason": item.reason.value if item.reason else None,
            "reason_message": translate(f"media.rejected.{item.reason.value}", locale) if item.reason else None,
            "metadata": item.metadata.model_dump(mode="json", exclude={"phash"}) if item.metadata else None,
            "url": url, "url_expires_in": expires_in}
    return body


def _shown(shown: Shown, locale: str) -> dict:
    return _view(shown.item, locale, shown.url, shown.expires_in)


@router.post("/media", tags=["media"], status_code=201,
             summary="Upload one file: a presigned S3 POST (policy pins type and size); the item stays "
                     "pending until checked")
def request_upload(body: UploadRequest) -> Response[dict]:
    who, loc = request.actor(), request.locale()

    def compute() -> dict:
        grant = services().media.request_upload(request.tenant(), who, purpose=body.purpose,
                                                content_type=body.content_type, size=body.size,
                                                customer_id=body.customer_id)
        return {"media": _view(grant.item, loc),
                "upload": {"url": grant.upload.url, "fields": grant.upload.fields,
                           "expires_in": grant.upload.expires_in, "method": "POST"}}

    return request.idempotent_post(201, compute)


@router.get("/media/<media_id>", tags=["media"],
            summary="A media item: status, reason, metadata; a short-lived download URL only when ready")
def get_media(media_id: Annotated[str, Path(max_length=128)]) -> Response[dict]:
    shown = services().media.get(request.tenant(), media_id, request.actor())
    return json_response(200, _shown(shown, request.locale()), {"Cache-Control": "no-store"})


@router.post("/tickets/<ticket_id>/media", tags=["media"],
             summary="Attach evidence: the ticket customer's own ready media")
def attach_media(ticket_id: Annotated[str, Path(max_length=128)], body: AttachRequest) -> Response[dict]:
    who, loc, expected = request.actor(), request.locale(), request.if_match()
    return request.idempotent_post(200, lambda: ticket_view(services().tickets.attach_media(
        request.tenant(), ticket_id, body.media_ids, who, expected_version=expected), who, loc))
