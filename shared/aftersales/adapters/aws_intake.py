"""boto3 adapters of the logistics, channels and notifications contexts: S3 attachments and raw
mail, SES, the 微信客服 sync queue and the Douyin intake queue (SQS)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from functools import cached_property
from typing import Any

from aftersales.core.contacts import EmailAddress
from aftersales.core.errors import DomainError
from aftersales.notifications import email_message
from aftersales.notifications.errors import DeliveryFailed, RecipientUnreachable


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


class SesEmailSender:
    """E-mail channel of the notifications outbox: a MIME message built by
    aftersales.notifications.email_message, sent raw through SES to the validated address only
    (Destinations is the envelope, so nothing in a header can add a recipient).

    SES refusals: one that names our sender, an unverified MAIL FROM domain, a missing configuration
    set or paused sending is a configuration fault (DeliveryFailed: retried, then the DLQ); any other
    MessageRejected / InvalidParameterValue is about the recipient and will not change on retry
    (RecipientUnreachable: the outbox tries the customer's next channel); anything else (throttling,
    5xx, network) is DeliveryFailed. Addresses never go into the raised error or a log."""

    # error codes of SendRawEmail as botocore's SES model declares them
    SENDER_FAULTS = frozenset({"MailFromDomainNotVerifiedException", "ConfigurationSetDoesNotExist",
                               "ConfigurationSetSendingPausedException", "AccountSendingPausedException"})
    RECIPIENT_REFUSALS = frozenset({"MessageRejected", "InvalidParameterValue"})

    def __init__(self, sender: str, sender_name: str = "", client: Any = None) -> None:
        self._sender, self._sender_name = sender, sender_name
        self._client = client

    def _ses(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("ses")
        return self._client

    def ready(self, tenant_id: str) -> bool:
        return True  # one verified sender identity serves every tenant

    def send(self, tenant_id: str, contact: Mapping[str, Any], subject: str, body: str, *,
             idempotency_key: str) -> str:
        from botocore.exceptions import ClientError

        source = email_message.sender(self._sender)  # a configuration fault comes first: it needs fixing
        to = email_message.recipient(contact.get("address"))
        message = email_message.build_email(from_address=source, from_name=self._sender_name, to=to,
                                            subject=subject, body=body)
        try:
            result = self._ses().send_raw_email(
                Source=source.ascii, Destinations=[to.ascii], RawMessage={"Data": message.as_bytes()},
                Tags=[{"Name": "notification", "Value": re.sub(r"[^A-Za-z0-9_-]", "-", idempotency_key)[:200]}])
        except ClientError as exc:
            raise self._refusal(exc, source) from exc
        return result["MessageId"]

    def _refusal(self, exc: Any, source: EmailAddress) -> DomainError:
        error = exc.response.get("Error", {})
        code, text = error.get("Code") or "", (error.get("Message") or "").lower()
        # SES names the identities that failed its check ("Email address is not verified. The following
        # identities failed the check in region ...: <addresses>"): our sender among them is our fault
        if code in self.SENDER_FAULTS or (code in self.RECIPIENT_REFUSALS and source.ascii.lower() in text):
            return DeliveryFailed("error.delivery_failed", channel="email", reason="sender_refused",
                                  provider_code=code)
        if code in self.RECIPIENT_REFUSALS:
            return RecipientUnreachable("error.recipient_unreachable", channel="email", reason="recipient_refused",
                                        provider_code=code)
        return DeliveryFailed("error.delivery_failed", channel="email", reason="provider_error", provider_code=code)


class _SqsQueue:
    """One SQS queue by URL, its client made on first use (never at import)."""

    def __init__(self, queue_url: str, client: Any = None) -> None:
        self._url = queue_url
        self._client = client

    def _sqs(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("sqs")
        return self._client


class SqsKfSyncRequests(_SqsQueue):
    """KfSyncRequests on SQS (WeComKfSyncQueue): one small message per kf_msg_or_event, read by
    functions/wecom_kf_sync. The message names the account and the sync Token, never content."""

    def request(self, tenant_id: str, open_kfid: str, token: str | None, event_id: str) -> None:
        if not self._url:
            raise DomainError("error.event_publish_failed", detail_type="wecom.kf_sync")
        body = {"tenant_id": tenant_id, "open_kfid": open_kfid, "token": token, "event_id": event_id}
        try:
            self._sqs().send_message(QueueUrl=self._url, MessageBody=json.dumps(body))
        except Exception as exc:  # botocore errors: one domain error for the callback (500, WeCom retries)
            raise DomainError("error.event_publish_failed", detail_type="wecom.kf_sync") from exc


class SqsImIntakeQueue(_SqsQueue):
    """ImIntakeQueue on SQS (ImIntakeQueue): one message per verified IM push naming the tenant, the
    channel, the kept body and the push's event type, never content; read by functions/im_intake."""

    def enqueue(self, tenant_id: str, channel: str, body_id: str, event_type: str) -> None:
        if not self._url:
            raise DomainError("error.event_publish_failed", detail_type="im.intake")
        body = {"tenant_id": tenant_id, "channel": channel, "body_id": body_id, "event_type": event_type}
        try:
            self._sqs().send_message(QueueUrl=self._url, MessageBody=json.dumps(body))
        except Exception as exc:  # botocore errors: one domain error for the push (500, the vendor retries)
            raise DomainError("error.event_publish_failed", detail_type="im.intake") from exc


class SqsDouyinIntakeQueue(_SqsQueue):
    """DouyinIntakeQueue on SQS (DouyinIntakeQueue): SendMessageBatch, ten entries a call; one small
    message per after-sale group naming the tenant, the kept push and the msg ids, never content."""

    BATCH = 10


    def enqueue(self, tenant_id: str, push_id: str, groups: list[list[str]]) -> list[list[str]]:
        if not self._url:
            return groups
        failed: list[list[str]] = []
        for start in range(0, len(groups), self.BATCH):
            chunk = groups[start:start + self.BATCH]
            entries = [{"Id": str(i), "MessageBody": json.dumps({"tenant_id": tenant_id, "push_id": push_id,
                                                                 "msg_ids": ids})} for i, ids in enumerate(chunk)]
            try:
                result = self._sqs().send_message_batch(QueueUrl=self._url, Entries=entries)
            except Exception:  # botocore errors: the whole chunk is not queued
                failed += chunk
                continue
            failed += [chunk[int(entry["Id"])] for entry in result.get("Failed", [])]
        return failed
