"""boto3 adapters for issue 5: S3 attachments and raw mail, EventBridge logistics events, SES, the
微信客服 sync queue (SQS)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from aftersales.core.errors import DomainError
from aftersales.notifications.errors import DeliveryFailed


class S3Attachments:
    def __init__(self, bucket: str) -> None:
        self._bucket = bucket

    @cached_property
    def _s3(self) -> Any:
        import boto3

        return boto3.client("s3")

    def put(self, tenant_id: str, key: str, content: bytes, content_type: str) -> str:
        self._s3.put_object(Bucket=self._bucket, Key=key, Body=content, ContentType=content_type,
                            ServerSideEncryption="AES256", Metadata={"tenant": tenant_id})
        return key

    def read(self, bucket: str, key: str) -> bytes:
        return self._s3.get_object(Bucket=bucket, Key=key)["Body"].read()


class EventBridgeAlerts:
    SOURCE = "aftersales.logistics"

    def __init__(self, bus_name: str) -> None:
        self._bus = bus_name

    @cached_property
    def _events(self) -> Any:
        import boto3

        return boto3.client("events")

    def publish(self, detail_type: str, detail: dict[str, Any]) -> None:
        result = self._events.put_events(Entries=[{
            "Source": self.SOURCE, "DetailType": detail_type, "EventBusName": self._bus,
            "Detail": json.dumps(detail, ensure_ascii=False, default=str)}])
        if result.get("FailedEntryCount"):
            raise DeliveryFailed("error.event_not_published", detail_type=detail_type)


class SesEmailSender:
    """E-mail channel of the notifications outbox."""

    def __init__(self, sender: str) -> None:
        self._sender = sender

    @cached_property
    def _ses(self) -> Any:
        import boto3

        return boto3.client("ses")

    def ready(self, tenant_id: str) -> bool:
        return True  # one verified sender identity serves every tenant

    def send(self, tenant_id: str, contact: Mapping[str, Any], subject: str, body: str, *,
             idempotency_key: str) -> str:
        address = contact["address"]
        from botocore.exceptions import ClientError

        try:
            result = self._ses.send_email(
                Source=self._sender, Destination={"ToAddresses": [address]},
                Message={"Subject": {"Data": subject, "Charset": "UTF-8"},
                         "Body": {"Text": {"Data": body, "Charset": "UTF-8"}}},
                Tags=[{"Name": "notification", "Value": idempotency_key[:200].replace("#", "-").replace(":", "-")}])
        except ClientError as exc:
            raise DeliveryFailed("error.delivery_failed", channel="email",
                                 provider_code=exc.response.get("Error", {}).get("Code")) from exc
        return result["MessageId"]


class SqsKfSyncRequests:
    """KfSyncRequests on SQS (WeComKfSyncQueue): one small message per kf_msg_or_event, read by
    functions/wecom_kf_sync. The message names the account and the sync Token, never content."""

    def __init__(self, queue_url: str, client: Any = None) -> None:
        self._url = queue_url
        self._client = client

    def _sqs(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("sqs")
        return self._client

    def request(self, tenant_id: str, open_kfid: str, token: str | None, event_id: str) -> None:
        if not self._url:
            raise DomainError("error.event_publish_failed", detail_type="wecom.kf_sync")
        body = {"tenant_id": tenant_id, "open_kfid": open_kfid, "token": token, "event_id": event_id}
        try:
            self._sqs().send_message(QueueUrl=self._url, MessageBody=json.dumps(body))
        except Exception as exc:  # botocore errors: one domain error for the callback (500, WeCom retries)
            raise DomainError("error.event_publish_failed", detail_type="wecom.kf_sync") from exc
