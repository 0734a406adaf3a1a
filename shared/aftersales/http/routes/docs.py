"""Docs routes: the health check and the published OpenAPI document (the Swagger UI page is
Powertools', `enable_swagger` in app.py)."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from aftersales.http import openapi
from aftersales.http.context import RequestContext

router = Router()
request = RequestContext(router)


@router.get("/health", include_in_schema=False)
def health() -> dict:
    return {"status": "ok"}


@router.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[dict]:
    # The resolver this router is included in (Powertools sets it in include_router) owns the routes.
    generated = router.api_resolver.get_openapi_json_schema(title=openapi.TITLE, version=openapi.VERSION)
    return Response(status_code=200, content_type="application/json",
                    body=openapi.published(json.loads(generated), stage=request.event.request_context.stage))
