"""Helpers for the logistics / channels / notifications tests (issue 5)."""

from __future__ import annotations

import json
import os
import uuid

from tests.support import FakeContext, load_handler, order_payload

SECRET = "whsec-test-secret-0123456789"


def extra_resources(model) -> dict:
    """What the `aws` fixture does not create: the event bus, S3 buckets, the SES identity."""
    import boto3

    boto3.client("events").create_event_bus(Name=os.environ["EVENT_BUS_NAME"])
    bucket = "test-attachments"
    os.environ["ATTACHMENTS_BUCKET"] = bucket
    boto3.client("s3").create_bucket(Bucket=bucket)
    boto3.client("s3").create_bucket(Bucket="test-inbound-mail")
    os.environ["NOTIFICATIONS_SENDER"] = "no-reply@example.com"
    boto3.client("ses").verify_email_identity(EmailAddress="no-reply@example.com")
    return {"bucket": bucket, "mail_bucket": "test-inbound-mail"}


def api_event(method: str, resource: str, path: str, params: dict, body: bytes | str | None,
              headers: dict | None = None, query: dict | None = None, authorizer: dict | None = None) -> dict:
    text = body.decode() if isinstance(body, bytes) else body
    return {"resource": resource, "path": path, "httpMethod": method, "headers": headers or {},
            "multiValueHeaders": {k: [v] for k, v in (headers or {}).items()},
            "queryStringParameters": query, "pathParameters": params, "body": text, "isBase64Encoded": False,
            "requestContext": {"requestId": str(uuid.uuid4()), "stage": "v1", "authorizer": authorizer or {}}}


class Webhooks:
    """The webhook functions, loaded by file path as Lambda does."""

    def __init__(self) -> None:
        self.carrier = load_handler("carrier_webhook")
        self.wecom = load_handler("wecom_callback")
        self.douyin = load_handler("douyin_push")
        self.email = load_handler("email_inbound")
        self.sweep = load_handler("logistics_sweep")
        self.notifications = load_handler("notifications")

    def post_carrier(self, provider: str, tenant: str, body: bytes, headers: dict, query: dict | None = None):
        event = api_event("POST", "/webhooks/carriers/{provider}/{tenant_id}",
                          f"/webhooks/carriers/{provider}/{tenant}", {"provider": provider, "tenant_id": tenant},
                          body, headers, query)
        return _reply(self.carrier.lambda_handler(event, FakeContext("carrier")))

    def wecom_call(self, method: str, tenant: str, query: dict, body: bytes | None = None):
        event = api_event(method, "/webhooks/wecom/{tenant_id}", f"/webhooks/wecom/{tenant}", {"tenant_id": tenant},
                          body, {"Content-Type": "text/xml"}, query)
        return _reply(self.wecom.lambda_handler(event, FakeContext("wecom")))

    def post_douyin(self, tenant: str, body: bytes, headers: dict):
        event = api_event("POST", "/webhooks/douyin/{tenant_id}", f"/webhooks/douyin/{tenant}", {"tenant_id": tenant},
                          body, headers)
        return _reply(self.douyin.lambda_handler(event, FakeContext("douyin")))

    def drop_email(self, tenant: str, raw: bytes):
        event = api_event("POST", "/inbound-email", "/inbound-email", {}, raw, {"Content-Type": "message/rfc822"},
                          authorizer={"tenant_id": tenant, "principal_kind": "api_key", "subject_id": "k1",
                                      "roles": "storefront"})
        return _reply(self.email.lambda_handler(event, FakeContext("email")))


class WebhookReply:
    def __init__(self, status: int, body, raw: str) -> None:
        self.status, self.body, self.raw = status, body, raw

    def __repr__(self) -> str:
        return f"WebhookReply({self.status}, {self.raw[:300]})"


def _reply(result: dict) -> WebhookReply:
    raw = result.get("body") or ""
    try:
        body = json.loads(raw)
    except ValueError:
        body = raw
    return WebhookReply(result["statusCode"], body, raw)


def seed_order(tenant: str = "acme", order_id: str = "O-1", customer: str = "cust-1", quantity: int = 2) -> None:
    from aftersales.orders.domain import Order
    from aftersales.wiring import services

    services().tickets.upsert_order(tenant, Order.model_validate(order_payload(order_id, customer, quantity=quantity)))


def configure(tenant: str = "acme") -> None:
    from aftersales.wiring import services

    settings = services().issue5.intake._settings
    for provider in ("aftership", "easypost", "17track"):
        settings.put(tenant, f"carrier:{provider}", {"secret": SECRET})
    settings.put(tenant, "carrier:shippo", {"tokens": ["shippo-token-" + "x" * 32]})


def table_items(table_name: str) -> list[dict]:
    """Test-only inspection of a whole (tiny, moto) table."""
    import boto3

    return boto3.client("dynamodb").scan(TableName=table_name)["Items"]
