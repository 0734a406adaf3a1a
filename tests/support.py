"""Test helpers: in-process Lambda invocation with API Gateway's shapes, payload builders."""

from __future__ import annotations

import importlib.util
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class FakeContext:
    def __init__(self, name: str) -> None:
        self.function_name = name
        self.function_version = "$LATEST"
        self.memory_limit_in_mb = 512
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{name}"
        self.log_stream_name = "local"

    def get_remaining_time_in_millis(self) -> int:
        return 15_000


def load_handler(function_dir: str):
    """Import functions/<dir>/handler.py under a unique name, as Lambda would from its CodeUri."""
    path = ROOT / "functions" / function_dir / "handler.py"
    spec = importlib.util.spec_from_file_location(f"fn_{function_dir}_handler", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


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
        payload = _json.loads(result["body"]) if result.get("body") else None
        return Reply(result["statusCode"], payload, {k.lower(): v for k, v in (result.get("headers") or {}).items()})


class Reply:
    def __init__(self, status: int, body, headers: dict) -> None:
        self.status, self.body, self.headers = status, body, headers

    def __repr__(self) -> str:
        return f"Reply({self.status}, {self.body})"



def order_payload(order_id: str = "O-1", customer: str = "cust-1", version: int = 1, quantity: int = 2,
                  currency: str = "CNY") -> dict:
    return {"order_id": order_id, "version": version, "channel": "app", "currency": currency,
            "customer": {"id": customer, "tier": "vip"},
            "payment": {"provider": "sandbox", "reference": f"ch_{order_id}",
                        "captured": {"amount": 9500 * quantity + 1000, "currency": currency}},
            "shipping": {"country": "CN", "fee": {"amount": 1000, "currency": currency}},
            "lines": [{"line_id": "L1", "sku": "MUG", "name": "Mug", "quantity": quantity,
                       "unit_price_paid": {"amount": 9500, "currency": currency}}],
            "placed_at": "2026-11-18T10:00:00+08:00"}


def sqs_record(body: dict, message_id: str = "1") -> dict:
    """One SQS record as Lambda's SQS event source delivers it, carrying `body` as JSON."""
    import json as _json

    return {"messageId": message_id, "receiptHandle": "r", "body": _json.dumps(body), "attributes": {},
            "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs", "eventSourceARN": "arn:q",
            "awsRegion": "us-east-1"}


def approve_as_reviewer(tickets, tenant_id: str, ticket_id: str, reviewer_id: str = "sup-1"):
    """A pending approval approved by one recorded single review (a supervisor who did not ask for
    it), applied through TicketService with the review's warrant as the approval use case does."""
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Role, Status
    from aftersales.tickets.warrants import ApprovalRecord, ReviewerDecision

    reviewer = Actor(id=reviewer_id, roles=frozenset({Role.SUPERVISOR}))
    ticket = tickets.get(tenant_id, ticket_id, reviewer)
    record = ApprovalRecord(outcome="approved", route="single_review", requester_id=ticket.requested_by or "",
                            decisions=(ReviewerDecision(approver_id=reviewer_id, role="supervisor",
                                                        verdict="approve"),))
    return tickets.transition(tenant_id, ticket_id, Status.APPROVED, reviewer, reason="reviewed", warrant=record)


def walk(tickets, tenant_id: str, ticket_id: str, *targets: str, actor=None, reason: str | None = None):
    """Move a ticket through `targets` as its owning use cases would: an approval or rejection
    with a recorded single review by `actor` (never the requester), an inspection that accepted
    every line (nothing for a rejection), and the automation's warrants for fulfilment and refund
    settlement (as SYSTEM). Returns the last ticket."""
    from aftersales.tickets import transitions, warrants
    from aftersales.tickets.domain import Actor
    from aftersales.tickets.model import Acceptance, Role, Status

    system = Actor(id="test-system", roles=frozenset({Role.SYSTEM}))
    actor = actor or Actor(id="sup-1", roles=frozenset({Role.SUPERVISOR}))
    ticket = None
    for name in targets:
        target = Status(name)
        current = tickets.get(tenant_id, ticket_id, system)
        rule = transitions.find(current.type, current.status, target)
        owner = rule.owner if rule is not None else None
        who, warrant, lines = actor, None, None
        if owner is transitions.Owner.APPROVAL:
            reviewer = actor if Role.SYSTEM not in actor.roles else Actor(id="sup-1",
                                                                          roles=frozenset({Role.SUPERVISOR}))
            verdict = "approve" if target == Status.APPROVED else "reject"
            warrant = warrants.ApprovalRecord(
                outcome="approved" if verdict == "approve" else "rejected", route="single_review",
                requester_id=current.requested_by or "", decisions=(warrants.ReviewerDecision(
                    approver_id=reviewer.id, role=reviewer.primary_role.value, verdict=verdict),))
            who = reviewer
        elif owner is transitions.Owner.INSPECTION:
            accepted = target != Status.REJECTED
            warrant, lines = warrants.InspectionRecord(), (lambda t, ok=accepted: [ln.model_copy(update={
                "acceptance": Acceptance.ACCEPTED if ok else Acceptance.REJECTED,
                "quantity_received": ln.quantity_requested,
                "quantity_accepted": ln.quantity_requested if ok else 0}) for ln in t.lines])
        elif owner is transitions.Owner.FULFILMENT:
            warrant, who = warrants.FulfilmentStep(), system
        elif owner is transitions.Owner.REFUND_SETTLEMENT:
            warrant, who = warrants.RefundSettlement(grant_id="test", provider_refund_id="test"), system
        elif owner is transitions.Owner.REFUND_DECISION:
            warrant = warrants.RefundDecision()
        ticket = tickets.transition(tenant_id, ticket_id, target, who, reason=reason, warrant=warrant, lines=lines)
    return ticket
