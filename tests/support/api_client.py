"""The authorizer and the API function driven in-process with API Gateway's REST v1 shapes."""

from __future__ import annotations

import uuid

from tests.support.lambdas import FakeContext, load_handler


class ApiClient:
    """Drives the authorizer and the API function in-process with API Gateway's REST v1 shapes."""

    def __init__(self) -> None:
        self.authorizer = load_handler("authorizer")
        self.api = load_handler("api")
        self.calls = 0

    def request(self, method: str, path: str, body=None, headers: dict | None = None, query: dict | None = None,
                raw_body: str | bytes | None = None):
        """`raw_body` is sent as is; bytes go base64-encoded (isBase64Encoded), as API Gateway passes
        a body that is not text."""
        import base64 as _base64
        import json as _json

        headers = {"Content-Type": "application/json", **(headers or {})}
        request_id = str(uuid.uuid4())
        method_arn = f"arn:aws:execute-api:us-east-1:123456789012:api/v1/{method}{path}"
        auth_event = {"type": "REQUEST", "methodArn": method_arn,
                      "resource": "/{proxy+}", "path": path, "httpMethod": method, "headers": headers,
                      "queryStringParameters": query, "pathParameters": {"proxy": path[1:]},
                      "requestContext": {"requestId": request_id, "stage": "v1"}}
        try:
            policy = self.authorizer.lambda_handler(auth_event, FakeContext("authorizer"))
        except Exception as exc:  # API Gateway turns the authorizer's "Unauthorized" into 401
            assert str(exc) == "Unauthorized"
            return Reply(401, {"message": "Unauthorized"}, {})
        if policy["policyDocument"]["Statement"][0]["Effect"] != "Allow":
            return Reply(403, {"message": "User is not authorized to access this resource with an explicit deny"}, {})
        event = {"resource": "/{proxy+}", "path": path, "httpMethod": method, "headers": headers,
                 "multiValueHeaders": {k: [v] for k, v in headers.items()},
                 "queryStringParameters": query,
                 "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
                 "pathParameters": {"proxy": path[1:]}, "stageVariables": None,
                 "requestContext": {"requestId": request_id, "stage": "v1", "resourcePath": "/{proxy+}",
                                    "httpMethod": method, "path": f"/v1{path}",
                                    "identity": {"sourceIp": "203.0.113.7", "userAgent": "pytest"},
                                    "authorizer": {**policy.get("context", {}), "principalId": policy["principalId"]}},
                 "body": (_base64.b64encode(raw_body).decode() if isinstance(raw_body, bytes) else raw_body)
                 if raw_body is not None else (_json.dumps(body) if body is not None else None),
                 "isBase64Encoded": isinstance(raw_body, bytes)}
        self.calls += 1
        result = self.api.lambda_handler(event, FakeContext("api"))
        if result.get("isBase64Encoded"):  # a binary answer (the evidence pack ZIP): its bytes, as API Gateway sends
            payload = _base64.b64decode(result["body"])
        else:
            payload = _json.loads(result["body"]) if result.get("body") else None
        headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
        headers.update({k.lower(): ", ".join(v) for k, v in (result.get("multiValueHeaders") or {}).items()
                        if k.lower() not in headers})
        return Reply(result["statusCode"], payload, headers)


class Reply:
    def __init__(self, status: int, body, headers: dict) -> None:
        self.status, self.body, self.headers = status, body, headers

    def __repr__(self) -> str:
        return f"Reply({self.status}, {self.body})"
