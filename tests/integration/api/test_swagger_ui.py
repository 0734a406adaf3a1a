"""Swagger UI needs no other origin: /swagger links its script and stylesheet relative to itself,
API Gateway routes those URLs to the API function without credentials (a browser sends none for a
<script>), and the function answers them with swagger-ui-dist as pinned in package-lock.json."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin, urlsplit

import pytest

from infra.local.routing import find_route
from tests.support.environment import ROOT
from tests.support.lambdas import FakeContext

PAGE = "https://api.example.com/v1/swagger"  # where a browser has the page: the API's stage, /swagger
ASSET_TAG = re.compile(r"""<(script|link)\b[^>]*?\b(?:src|href)=['"]([^'"]*)['"]""", re.IGNORECASE)


def _get(aws, api, path: str) -> tuple[int, dict[str, str], str]:
    """GET `path` as API Gateway delivers it: routed by the template, with no authorizer context
    when the route has none."""
    match = find_route(aws.apis["AftersalesApi"].routes, "GET", path)
    assert match is not None, path
    assert match.route.authorizer is None, f"{path} needs credentials a browser does not send"
    event = {"resource": match.route.path, "path": path, "httpMethod": "GET", "headers": {"Accept": "*/*"},
             "multiValueHeaders": {"Accept": ["*/*"]}, "queryStringParameters": None,
             "multiValueQueryStringParameters": None, "pathParameters": match.path_parameters or None,
             "stageVariables": None, "requestContext": {"requestId": "r", "stage": "v1", "path": f"/v1{path}"},
             "body": None, "isBase64Encoded": False}
    result = api.api.lambda_handler(event, FakeContext("api"))
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    headers |= {k.lower(): v[-1] for k, v in (result.get("multiValueHeaders") or {}).items() if v}
    return result["statusCode"], headers, result["body"]


def _same_origin_path(url: str) -> str:
    """The API path a URL of the page resolves to; fails for anything on another origin."""
    resolved = urlsplit(urljoin(PAGE, url))
    page = urlsplit(PAGE)
    assert (resolved.scheme, resolved.netloc) == (page.scheme, page.netloc), f"{url} is on another origin"
    assert resolved.path.startswith("/v1/"), f"{url} is outside the API's stage"
    return resolved.path.removeprefix("/v1")


def _pinned_version() -> str:
    lock = json.loads((ROOT / "package-lock.json").read_text())
    return lock["packages"]["node_modules/swagger-ui-dist"]["version"]


def test_the_swagger_page_links_only_assets_of_its_own_origin(aws, api):
    """GIVEN the API WHEN a browser opens /swagger THEN it gets HTML whose every script and
    stylesheet is a URL of the same origin, under the API's stage."""
    status, headers, html = _get(aws, api, "/swagger")

    assert status == 200 and headers["content-type"].startswith("text/html")
    assets = ASSET_TAG.findall(html)
    assert sorted(tag.lower() for tag, _ in assets) == ["link", "script"]
    assert {_same_origin_path(url) for _, url in assets} == {"/swagger/swagger-ui-bundle.min.js",
                                                            "/swagger/swagger-ui.min.css"}
    assert "<style>" not in html, "the stylesheet is linked, not inlined into every page view"


@pytest.mark.parametrize(("kind", "content_type", "marker"), [
    ("script", "text/javascript", "SwaggerUIBundle"),
    ("link", "text/css", ".swagger-ui"),
])
def test_the_pages_assets_are_the_pinned_swagger_ui_dist(aws, api, kind, content_type, marker):
    """GIVEN the URLs the page links WHEN the browser fetches them without credentials THEN 200 with
    the script as JavaScript and the stylesheet as CSS, both from the swagger-ui-dist version
    package-lock.json pins (the script names its version)."""
    _, _, html = _get(aws, api, "/swagger")
    (url,) = [url for tag, url in ASSET_TAG.findall(html) if tag.lower() == kind]

    status, headers, body = _get(aws, api, _same_origin_path(url))

    assert status == 200
    assert headers["content-type"].split(";")[0].strip() == content_type
    assert marker in body
    version = _pinned_version()
    shipped = (ROOT / "node_modules/swagger-ui-dist" / ("swagger-ui-bundle.js" if kind == "script"
                                                       else "swagger-ui.css")).read_text(encoding="utf-8")
    assert body == shipped
    if kind == "script":
        assert f'"{version}"' in body


def test_an_unknown_asset_is_the_apis_own_404(aws, api):
    """GIVEN the unauthenticated asset route WHEN a name the API does not serve is asked for
    THEN 404 route_not_found, as for any unknown route."""
    status, _, body = _get(aws, api, "/swagger/swagger-ui.js")

    assert status == 404 and json.loads(body)["error"]["code"] == "route_not_found"
