"""Helpers for the logistics / channels / notifications tests."""

from __future__ import annotations

import json
import os
import uuid

from tests.support.fixture_files import load
from tests.support.lambdas import FakeContext, load_handler
from tests.support.tickets import order_payload

SECRET = "whsec-test-secret-0123456789"
SHIPPO_TOKEN = "shippo-token-" + "x" * 32


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
    # the template's DouyinIntakeQueue, where the Douyin push leaves its messages (DOUYIN_INTAKE_QUEUE_URL)
    assert "DOUYIN_INTAKE_QUEUE_URL" in model.functions["DouyinPushFunction"].environment
    os.environ["DOUYIN_INTAKE_QUEUE_URL"] = boto3.client("sqs").create_queue(
        QueueName="test-douyin-intake")["QueueUrl"]
    return {"bucket": bucket, "mail_bucket": "test-inbound-mail"}


def wecom_query(token: str, encrypt: str, *, timestamp: str | None = None, nonce: str | None = None) -> dict:
    """The query WeCom signs a callback with: now (the replay window) and a fresh nonce, unless given."""
    import time

    from aftersales.channels.wecom import signature

    timestamp = timestamp or str(int(time.time()))
    nonce = nonce or uuid.uuid4().hex[:16]
    return {"msg_signature": signature(token, timestamp, nonce, encrypt), "timestamp": timestamp, "nonce": nonce}


def wecom_text_message(corp_id: str, sender: str, text: str, msg_id: str, *, created: str = "1732600000",
                       agent_id: int = 1) -> str:
    """The plain XML of a text message that `sender` sends to a WeCom application."""
    return (f"<xml><ToUserName>{corp_id}</ToUserName><FromUserName>{sender}</FromUserName>"
            f"<CreateTime>{created}</CreateTime><MsgType>text</MsgType><Content><![CDATA[{text}]]></Content>"
            f"<MsgId>{msg_id}</MsgId><AgentID>{agent_id}</AgentID></xml>")


def sealed_wecom_callback(config: dict, inner: str, *, agent_id: int = 1, timestamp: str | None = None,
                          nonce: str | None = None) -> tuple[dict, bytes]:
    """`inner` sealed as WeCom seals an application's callback, with `config`'s token, AES key and corp
    id (the official vector's): the signed query (as `wecom_query`) and the envelope."""
    from aftersales.channels.wecom import WeComCrypto

    encrypt = WeComCrypto(config["token"], config["encoding_aes_key"], config["corpid_receiveid"]).encrypt(inner)
    body = f"<xml><ToUserName>x</ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt><AgentID>{agent_id}</AgentID></xml>"
    return wecom_query(config["token"], encrypt, timestamp=timestamp, nonce=nonce), body.encode()


def take_queued(queue_url: str) -> list[dict]:
    """What a function left on an SQS queue, taken off it, as the records Lambda's SQS source delivers."""
    import boto3

    sqs = boto3.client("sqs")
    records = []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        for m in messages:
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=m["ReceiptHandle"])
            records.append({"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"],
                            "attributes": {}, "messageAttributes": {}, "md5OfBody": m["MD5OfBody"],
                            "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:q",
                            "awsRegion": "us-east-1"})
    return records


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
        self.douyin_worker = load_handler("douyin_intake")
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

    def file_douyin(self) -> list[dict]:
        """The Douyin intake function's record handler, fed what the pushes left on the intake queue
        (in queue order): the filing outcomes, one per queued message."""
        from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

        results: list[dict] = []
        for record in take_queued(os.environ["DOUYIN_INTAKE_QUEUE_URL"]):
            results += self.douyin_worker.record_handler(SQSRecord(record))
        return results

    def push_and_file_douyin(self, tenant: str, body: bytes, headers: dict) -> tuple[WebhookReply, list[dict]]:
        """POST the push (answered at once), then file what it queued: (push reply, outcomes)."""
        reply = self.post_douyin(tenant, body, headers)
        return reply, self.file_douyin()

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


def put_integration(tenant: str, name: str, config: dict) -> None:
    """Store an integration's settings as PUT /integrations/... does, through the settings adapter
    (a container that already read them keeps its cached copy up to the cache TTL)."""
    from aftersales.adapters.dynamo.intake import DynamoIntegrationSettings, bind_channels
    from aftersales.core.settings import ChannelSettings

    bind_channels(ChannelSettings.from_env().channels_table)
    DynamoIntegrationSettings().put(tenant, name, config)


def configure(tenant: str = "acme") -> None:
    """Every carrier's webhook secret (Shippo: its URL token) for `tenant`."""
    for provider in ("aftership", "easypost", "17track"):
        put_integration(tenant, f"carrier:{provider}", {"secret": SECRET})
    put_integration(tenant, "carrier:shippo", {"tokens": [SHIPPO_TOKEN]})


def table_items(table_name: str) -> list[dict]:
    """Test-only inspection of a whole (tiny, moto) table."""
    import boto3

    return boto3.client("dynamodb").scan(TableName=table_name)["Items"]


# ---------------------------------------------------------------- carriers: real payloads, signed as each signs


def _seventeen_track() -> dict:
    """17TRACK publishes no sample push: the documented v2 shape with real status values."""
    assert load("17track/17track_status_substatus.json")
    return {"event": "TRACKING_UPDATED", "data": {"number": "RR123456789CN", "carrier": 3011, "track_info": {
        "latest_status": {"status": "InTransit", "sub_status": "InTransit_Other"},
        "latest_event": {"time_iso": "2026-11-20T08:00:00+08:00", "description": "Departed", "location": "Shenzhen"},
        "tracking": {"providers": [{"events": [{"time_iso": "2026-11-20T08:00:00+08:00", "time_utc": 1763596800,
                                                "description": "Departed", "stage": "InTransit"}]}]}}}}


def _shippo() -> dict:
    """Shippo's documented track_updated wire shape with real status values."""
    assert load("shippo/shippo_enums.json")
    return {"event": "track_updated", "test": False, "data": {
        "tracking_number": "9205590164917312751089", "carrier": "usps",
        "tracking_status": {"status": "TRANSIT", "substatus": {"code": "package_accepted", "text": "Accepted",
                                                                "action_required": False},
                            "status_date": "2026-11-20T08:00:00Z", "object_id": "ts_1",
                            "location": {"city": "Austin", "state": "TX", "zip": "78701", "country": "US"}},
        "tracking_history": [{"status": "PRE_TRANSIT", "status_date": "2026-11-19T08:00:00Z",
                              "status_details": "Label created"}]}}


CARRIER_PAYLOADS = {
    "aftership": [load("aftership/aftership_tracking_webhook_sample.json")],
    "easypost": [load("easypost/fixtures__event-body.json"),
                 load("easypost/guides__tracking-guide__json__tracking-webhook.json")],
    "17track": [_seventeen_track()],
    "shippo": [_shippo()],
}


def carrier_signed(provider: str, body: bytes) -> tuple[dict, dict | None]:
    """(headers, query) a carrier sends `body` with, signed with the tenant's SECRET (configure())."""
    from aftersales.logistics.verification import aftership_signature, easypost_signature, seventeen_track_signature

    if provider == "aftership":
        return {"aftership-hmac-sha256": aftership_signature(SECRET, body)}, None
    if provider == "easypost":
        return {"X-Hmac-Signature": easypost_signature(SECRET, body)}, None
    if provider == "17track":
        return {"sign": seventeen_track_signature(SECRET, body)}, None
    return {}, {"token": SHIPPO_TOKEN}


def tenant_with_return(api, demo, aws, **customer_headers) -> dict:
    """Tenant acme with the channel resources, order O-1 and one return ticket of cust-1's: the
    demo credentials plus {"ticket": id}."""
    extra_resources(aws)
    assert api.request("PUT", "/orders/O-1", order_payload(), demo["acme"]["key"]).status == 201
    ticket = api.request("POST", "/tickets", {
        "type": "return_refund", "order_id": "O-1", "channel": "app", "reason_code": "damaged",
        "lines": [{"line_id": "L1", "quantity": 1}]}, {**demo["acme"]["cust-1"], **customer_headers})
    assert ticket.status == 201, ticket
    return demo["acme"] | {"ticket": ticket.body["id"]}
