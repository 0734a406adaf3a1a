"""Docs routes: the health check, the published OpenAPI document, and the two assets of the
Swagger UI page. The page itself is Powertools' (`enable_swagger` in app.py), pointed at these
assets with a relative base URL, so it loads nothing from another origin: they are swagger-ui-dist
from the project's npm lockfile, copied into the package by `make` (shared/aftersales/http/static/)
and shipped in the Lambda layer."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router

from aftersales.http import openapi
from aftersales.http.context import RequestContext

router = Router()
request = RequestContext(router)
# Powertools links f"{swagger_base_url}/swagger-ui-bundle.min.js" and ".../swagger-ui.min.css".
SWAGGER_ASSETS_URL = "swagger"  # relative to the page (/v1/swagger): /v1/swagger/<asset>
SWAGGER_UI_FILES = ("static", "swagger-ui")
ASSET_CACHE = "public, max-age=86400"


@lru_cache(maxsize=2)
def _asset(name: str) -> str:
    """An asset's text, read once per container (not at import)."""
    try:
        return resources.files("aftersales.http").joinpath(*SWAGGER_UI_FILES, name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RuntimeError(f"Swagger UI asset {name} is missing from the package: `make` copies it from "
                           "node_modules/swagger-ui-dist (package-lock.json)") from None


def _serve(name: str, content_type: str) -> Response[str]:
    return Response(status_code=200, content_type=content_type, headers={"Cache-Control": ASSET_CACHE},
                    body=_asset(name))


@router.get("/health", include_in_schema=False)
def health() -> dict:
    return {"status": "ok"}


@router.get("/openapi.json", include_in_schema=False)
def openapi_document() -> Response[dict]:
    # The resolver this router is included in (Powertools sets it in include_router) owns the routes.
    generated = router.api_resolver.get_openapi_json_schema(title=openapi.TITLE, version=openapi.VERSION)
    return Response(status_code=200, content_type="application/json",
                    body=openapi.published(json.loads(generated), stage=request.event.request_context.stage))


@router.get(f"/{SWAGGER_ASSETS_URL}/swagger-ui-bundle.min.js", include_in_schema=False)
def swagger_script() -> Response[str]:
    return _serve("swagger-ui-bundle.js", "text/javascript; charset=utf-8")


@router.get(f"/{SWAGGER_ASSETS_URL}/swagger-ui.min.css", include_in_schema=False)
def swagger_stylesheet() -> Response[str]:
    return _serve("swagger-ui.css", "text/css; charset=utf-8")
