"""API Gateway (REST API, payload v1) front: HTTP in, the template's Lambda proxy event out.

Runs the template's Lambda authorizer (REQUEST or TOKEN) in-process before the handler, with
API Gateway's answers: 401 Unauthorized, 403 deny, 403 Missing Authentication Token for unknown
routes, 413 over 10 MB, 502 when the handler fails or returns a malformed response.
"""

from __future__ import annotations

import base64
import json
import logging
import re
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from werkzeug.serving import BaseWSGIServer, make_server
from werkzeug.wrappers import Request, Response

from .routing import evaluate_policy, find_route, method_arn
from .runtime import FunctionError, Runtime
from .site import StaticSite
from .template import Api, Authorizer, StackModel

log = logging.getLogger("infra.local.apigw")

MAX_PAYLOAD = 10 * 1024 * 1024
MISSING_TOKEN = (403, {"message": "Missing Authentication Token"})
UNAUTHORIZED = (401, {"message": "Unauthorized"})
EXPLICIT_DENY = (403, {"message": "User is not authorized to access this resource with an explicit deny"})
IMPLICIT_DENY = (403, {"message": "User is not authorized to access this resource"})
AUTHORIZER_ERROR = (500, {"message": None})
BAD_GATEWAY = (502, {"message": "Internal server error"})


class _Reject(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status, self.body = status, body


class ApiGateway:
    """WSGI app + threaded werkzeug server for one API of the template."""

    def __init__(self, model: StackModel, api: Api, runtime: Runtime, port: int = 3000,
                 host: str = "127.0.0.1", sites: tuple[StaticSite, ...] = ()) -> None:
        self.model, self.api, self.runtime = model, api, runtime
        self.sites = sites  # static apps on the same origin (CloudFront + S3 on AWS)
        self.host, self.port = host, port
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}/{self.api.stage}"

    def start(self) -> None:
        self._server = make_server(self.host, self.port, self, threaded=True)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever, name="apigw", daemon=True)
        self._thread.start()
        log.info("API %s on %s", self.api.logical_id, self.base_url)

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    # ---------------------------------------------------------------- WSGI

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        request_id = str(uuid.uuid4())
        site = next((s for s in self.sites if s.serves(request.path)), None)
        if site is not None:
            return site.respond(request)(environ, start_response)
        try:
            response = self.handle(request, request_id)
        except _Reject as rej:
            response = _json_response(rej.status, rej.body)
        response.headers["x-amzn-RequestId"] = request_id
        return response(environ, start_response)

    def handle(self, request: Request, request_id: str) -> Response:
        if (request.content_length or 0) > MAX_PAYLOAD:
            raise _Reject(413, {"message": "Request Too Long"})
        prefix = f"/{self.api.stage}"
        if request.path != prefix and not request.path.startswith(prefix + "/"):
            raise _Reject(*MISSING_TOKEN)
        path = request.path[len(prefix):] or "/"
        match = find_route(self.api.routes, request.method, path)
        if match is None:
            raise _Reject(*MISSING_TOKEN)
        body = request.get_data(cache=True)
        if len(body) > MAX_PAYLOAD:
            raise _Reject(413, {"message": "Request Too Long"})
        event = self.proxy_event(request, path, match.route.path, match.path_parameters, body, request_id)
        if match.route.authorizer:
            event["requestContext"]["authorizer"] = self.authorize(match.route.authorizer, event)
        return self.invoke(match.route.function_logical_id, event, request_id)

    # ---------------------------------------------------------------- events

    def proxy_event(self, request: Request, path: str, resource: str, params: dict[str, str], body: bytes,
                    request_id: str) -> dict[str, Any]:
        headers, multi_headers = {}, {}
        for key, value in request.headers.items():
            multi_headers.setdefault(key, []).append(value)
            headers[key] = value
        source_ip = request.remote_addr or "127.0.0.1"
        for key, value in (("X-Forwarded-For", source_ip), ("X-Forwarded-Proto", "http"),
                           ("X-Forwarded-Port", str(self.port))):
            headers.setdefault(key, value)
            multi_headers.setdefault(key, [value])
        query = {k: v[-1] for k, v in request.args.lists()} or None
        multi_query = {k: list(v) for k, v in request.args.lists()} or None
        is_b64, text = self._body(request.headers.get("Content-Type", ""), body)
        now = datetime.now(UTC)
        return {
            "resource": resource,
            "path": path,
            "httpMethod": request.method,
            "headers": headers or None,
            "multiValueHeaders": multi_headers or None,
            "queryStringParameters": query,
            "multiValueQueryStringParameters": multi_query,
            "pathParameters": params or None,
            "stageVariables": None,
            "requestContext": {
                "accountId": self.model.account_id,
                "apiId": self.api.api_id,
                "resourceId": uuid.uuid5(uuid.NAMESPACE_URL, resource).hex[:6],
                "resourcePath": resource,
                "httpMethod": request.method,
                "extendedRequestId": request_id,
                "requestTime": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "path": f"/{self.api.stage}{path}",
                "protocol": request.environ.get("SERVER_PROTOCOL", "HTTP/1.1"),
                "stage": self.api.stage,
                "domainPrefix": self.api.api_id,
                "domainName": request.host,
                "requestTimeEpoch": int(now.timestamp() * 1000),
                "requestId": request_id,
                "identity": {
                    "cognitoIdentityPoolId": None, "accountId": None, "cognitoIdentityId": None, "caller": None,
                    "apiKey": None, "apiKeyId": None, "accessKey": None, "sourceIp": source_ip,
                    "cognitoAuthenticationType": None, "cognitoAuthenticationProvider": None, "userArn": None,
                    "userAgent": request.headers.get("User-Agent"), "user": None, "principalOrgId": None,
                    "clientCert": None,
                },
            },
            "body": text,
            "isBase64Encoded": is_b64,
        }

    def _body(self, content_type: str, body: bytes) -> tuple[bool, str | None]:
        if not body:
            return False, None
        mime = content_type.split(";")[0].strip().lower()
        binary = any(_mime_matches(t, mime) for t in self.api.binary_media_types)
        if not binary:
            try:
                return False, body.decode("utf-8")
            except UnicodeDecodeError:
                binary = True  # deviation: AWS would mangle it; we pass it through intact
        return True, base64.b64encode(body).decode()

    # ---------------------------------------------------------------- authorizer

    def authorize(self, name: str, event: dict[str, Any]) -> dict[str, Any]:
        auth = self.api.authorizers.get(name)
        if auth is None:
            log.warning("route uses authorizer %s which is not a Lambda authorizer of the template; allowing", name)
            return {}
        arn = method_arn(self.model.region, self.model.account_id, self.api.api_id, self.api.stage,
                         event["httpMethod"], event["path"])
        auth_event = self._authorizer_event(auth, event, arn)
        started = time.monotonic()
        try:
            result = self.runtime.invoke(auth.function_logical_id, auth_event)
        except FunctionError as err:
            if err.payload.get("errorMessage") == "Unauthorized":
                raise _Reject(*UNAUTHORIZED) from err
            raise _Reject(*AUTHORIZER_ERROR) from err
        if not isinstance(result, dict) or "principalId" not in result or "policyDocument" not in result:
            log.warning("authorizer %s returned a malformed response: %r", name, result)
            raise _Reject(*AUTHORIZER_ERROR)
        decision = evaluate_policy(result.get("policyDocument"), arn)
        if decision == "deny":
            raise _Reject(*EXPLICIT_DENY)
        if decision != "allow":
            raise _Reject(*IMPLICIT_DENY)
        context = {}
        for key, value in (result.get("context") or {}).items():
            if isinstance(value, (dict, list)):
                log.warning("authorizer %s: context value %s must be a string, number or boolean", name, key)
                raise _Reject(*AUTHORIZER_ERROR)
            context[key] = _context_str(value)
        context["principalId"] = str(result["principalId"])
        context["integrationLatency"] = int((time.monotonic() - started) * 1000)
        return context

    def _authorizer_event(self, auth: Authorizer, event: dict[str, Any], arn: str) -> dict[str, Any]:
        identity = auth.identity
        headers = {k.lower(): v for k, v in (event["headers"] or {}).items()}
        if auth.payload_type.upper() == "TOKEN":
            token = headers.get(str(identity.get("Header", "Authorization")).lower())
            expr = identity.get("ValidationExpression")
            if not token or (expr and not re.fullmatch(expr, token)):
                raise _Reject(*UNAUTHORIZED)
            return {"type": "TOKEN", "authorizationToken": token, "methodArn": arn}
        for h in identity.get("Headers") or []:
            if not headers.get(h.lower()):
                raise _Reject(*UNAUTHORIZED)
        for q in identity.get("QueryStrings") or []:
            if not (event["queryStringParameters"] or {}).get(q):
                raise _Reject(*UNAUTHORIZED)
        context = {k: v for k, v in event["requestContext"].items() if k != "authorizer"}
        return {
            "type": "REQUEST",
            "methodArn": arn,
            "resource": event["resource"],
            "path": event["path"],
            "httpMethod": event["httpMethod"],
            "headers": event["headers"],
            "multiValueHeaders": event["multiValueHeaders"],
            "queryStringParameters": event["queryStringParameters"],
            "multiValueQueryStringParameters": event["multiValueQueryStringParameters"],
            "pathParameters": event["pathParameters"],
            "stageVariables": event["stageVariables"],
            "requestContext": context,
        }

    # ---------------------------------------------------------------- integration

    def invoke(self, logical_id: str, event: dict[str, Any], request_id: str) -> Response:
        try:
            result = self.runtime.invoke(logical_id, event, request_id)
        except FunctionError:
            return _json_response(*BAD_GATEWAY)
        try:
            return _lambda_response(result)
        except (TypeError, ValueError, KeyError) as exc:
            log.warning("%s returned a malformed proxy response: %s", logical_id, exc)
            return _json_response(*BAD_GATEWAY)


def _lambda_response(result: Any) -> Response:
    if not isinstance(result, dict):
        raise TypeError("proxy response must be an object")
    status = int(result.get("statusCode", 200))
    body = result.get("body")
    if body is not None and not isinstance(body, str):
        raise TypeError("body must be a string")
    data = base64.b64decode(body) if body and result.get("isBase64Encoded") else (body or "").encode()
    response = Response(data, status=status)
    response.headers.pop("Content-Type", None)
    for key, value in (result.get("headers") or {}).items():
        response.headers[key] = str(value)
    for key, values in (result.get("multiValueHeaders") or {}).items():
        response.headers.pop(key, None)
        for v in values:
            response.headers.add(key, str(v))
    if "Content-Type" not in response.headers:
        response.headers["Content-Type"] = "application/json"
    return response


def _json_response(status: int, body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), status=status, content_type="application/json")


def _context_str(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _mime_matches(pattern: str, mime: str) -> bool:
    pattern = pattern.replace("~1", "/").lower()
    if pattern in ("*/*", mime):
        return True
    return pattern.endswith("/*") and mime.startswith(pattern[:-1])
