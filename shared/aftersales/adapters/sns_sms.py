"""SMS through Amazon SNS (Publish to a phone number), behind the notifications' ChannelSender port.

The contact's `address` is an E.164 number, checked when it was stored (core.contacts.valid_mobile).
Before each message the number's opt-out is asked (CheckIfPhoneNumberIsOptedOut): a customer who
answered STOP is unreachable on this channel, so the sender moves on to the next channel and
nothing is sent. Messages go as Transactional (the route with delivery priority). Refusals about the
number are RecipientUnreachable; throttling, 5xx, our own permissions are DeliveryFailed (the queue
retries, then the DLQ). Numbers never go into a raised error or a log.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aftersales.notifications.errors import DeliveryFailed, RecipientUnreachable

MAX_SMS_CHARS = 600  # SNS splits longer texts into segments (up to 1,600 chars); four UCS-2 segments is plenty


class SnsSmsSender:
    # codes SNS Publish answers when the number itself is the problem (botocore's SNS model)
    RECIPIENT_REFUSALS = frozenset({"InvalidParameter", "ParameterValueInvalid", "EndpointDisabled"})

    def __init__(self, sender_id: str = "", client: Any = None) -> None:
        self._sender_id = sender_id
        self._client = client

    def _sns(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("sns")
        return self._client

    def ready(self, tenant_id: str) -> bool:
        return True  # the account's SMS settings serve every tenant

    def send(self, tenant_id: str, contact: Mapping[str, Any], subject: str, body: str, *,
             idempotency_key: str) -> str:
        from botocore.exceptions import ClientError

        number = contact.get("address")
        if not isinstance(number, str) or not number.startswith("+"):
            raise RecipientUnreachable("error.recipient_unreachable", channel="sms", reason="no_number")
        attributes = {"AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}}
        if self._sender_id:
            attributes["AWS.SNS.SMS.SenderID"] = {"DataType": "String", "StringValue": self._sender_id}
        try:
            if self._sns().check_if_phone_number_is_opted_out(phoneNumber=number).get("isOptedOut"):
                raise RecipientUnreachable("error.recipient_unreachable", channel="sms", reason="opted_out")
            result = self._sns().publish(PhoneNumber=number, Message=body[:MAX_SMS_CHARS],
                                         MessageAttributes=attributes)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code") or ""
            if code in self.RECIPIENT_REFUSALS:
                raise RecipientUnreachable("error.recipient_unreachable", channel="sms", reason="recipient_refused",
                                           provider_code=code) from exc
            raise DeliveryFailed("error.delivery_failed", channel="sms", reason="provider_error",
                                 provider_code=code) from exc
        return str(result["MessageId"])
