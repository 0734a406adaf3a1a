"""Monthly exports: ask for one (202 with its id; the worker writes it), follow its progress and
download it through short-lived presigned links once done; list the tenant's earlier ones."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from aftersales.analytics.exports import ExportRequest
from aftersales.http.context import CURSOR_MAX_LENGTH, RequestContext, json_response
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
SUPERVISORS = (Role.SUPERVISOR, Role.ADMIN)


@router.post("/exports", tags=["exports"], status_code=202,
             summary="Export a month's tickets, lines, refunds and SLA outcomes")
def create_export(body: ExportRequest):
    request.require(*SUPERVISORS)

    def start() -> dict:
        job = services().exports.request(request.tenant(), body, request.principal().subject_id)
        return {"export_id": job.export_id, "status": job.status.value, "month": job.month,
                "format": job.format.value, "percent": job.percent}

    response = request.idempotent_post(202, start)
    return response


@router.get("/exports/<export_id>", tags=["exports"], summary="An export's status, percent done and download links")
def get_export(export_id: Annotated[str, Path(max_length=64)]):
    request.require(*SUPERVISORS)
    return json_response(200, services().exports.view(request.tenant(), export_id), {"Cache-Control": "no-store"})


@router.get("/exports", tags=["exports"],
            summary="The tenant's exports, the newest first, each with its status and (when done) download links")
def list_exports(limit: Annotated[int, Query(ge=1, le=100)] = 20,
                 cursor: Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH)] = None):
    request.require(*SUPERVISORS)
    listing = request.listing("exports")
    items, after = services().exports.recent(request.tenant(), limit=limit, cursor=listing.position(cursor))
    return json_response(200, {"items": items, "next_cursor": listing.cursor(after)}, {"Cache-Control": "no-store"})
