"""Requests to the API's public paths (Auth: NONE in template.yaml: API Gateway calls no authorizer),
in API Gateway's REST v1 shape, answered by the API function in-process; the reply keeps its body
as text (pages are HTML)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tests.support.lambdas import FakeContext


@dataclass(frozen=True)
class PageReply:
    status: int
    headers: dict[str, str]
    text: str


def public_request(api_module, method: str, path: str, body: str | None = None,
                   content_type: str | None = None, accept_language: str | None = None) -> PageReply:
    headers = {k: v for k, v in {"Content-Type": content_type, "Accept-Language": accept_language}.items() if v}
    event = {"resource": "/surveys/{token}", "path": path, "httpMethod": method, "headers": headers,
             "multiValueHeaders": {k: [v] for k, v in headers.items()}, "queryStringParameters": None,
             "multiValueQueryStringParameters": None, "pathParameters": {"token": path.split("/")[2]},
             "stageVariables": None,
             "requestContext": {"requestId": str(uuid.uuid4()), "stage": "v1", "resourcePath": "/surveys/{token}",
                                "httpMethod": method, "path": f"/v1{path}",
                                "identity": {"sourceIp": "203.0.113.9", "userAgent": "pytest"}},
             "body": body, "isBase64Encoded": False}
    result = api_module.lambda_handler(event, FakeContext("api"))
    found = {k.lower(): v[-1] for k, v in (result.get("multiValueHeaders") or {}).items() if v}
    found |= {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    return PageReply(result["statusCode"], found, result.get("body") or "")
