"""The SES adapter of the outbox against botocore's SES model (Stubber: the request is checked
against the real SendRawEmail shape, refusals carry the error codes that model declares)."""

from __future__ import annotations

from email import policy
from email.parser import BytesParser

import boto3
import pytest
from botocore.stub import ANY, Stubber

from aftersales.adapters.aws_intake import SesEmailSender
from aftersales.notifications.errors import DeliveryFailed, RecipientUnreachable

SENDER = "no-reply@example.com"
# SES's sandbox refusal names every identity that failed its check
NOT_VERIFIED = "Email address is not verified. The following identities failed the check in region US-EAST-1: {}"


@pytest.fixture
def ses(monkeypatch):
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    client = boto3.client("ses", region_name="us-east-1")
    with Stubber(client) as stub:
        yield client, stub
        stub.assert_no_pending_responses()


def send(client, address: str = "buyer@example.com", name: str = "小店") -> str:
    return SesEmailSender(SENDER, name, client=client).send(
        "acme", {"address": address}, "[TKT-1] 回复", "您好", idempotency_key="reply:msg_1:email")


def test_the_message_goes_raw_to_the_validated_address_only(ses):
    """GIVEN a valid contact WHEN sent THEN SendRawEmail carries Source = our sender, Destinations =
    that one address, and a MIME message whose headers a parser reads back unchanged."""
    client, stub = ses
    seen = {}

    def capture(**params):
        seen.update(params)

    stub.add_response("send_raw_email", {"MessageId": "0100-ses-id"},
                      {"Source": SENDER, "Destinations": ["buyer@example.com"], "RawMessage": {"Data": ANY},
                       "Tags": [{"Name": "notification", "Value": "reply-msg_1-email"}]})
    client.meta.events.register("provide-client-params.ses.SendRawEmail", lambda params, **_: capture(**params))
    assert send(client) == "0100-ses-id"
    message = BytesParser(policy=policy.default).parsebytes(seen["RawMessage"]["Data"])
    assert str(message["Subject"]) == "[TKT-1] 回复" and message["From"].addresses[0].display_name == "小店"


def test_an_address_that_cannot_be_one_never_reaches_ses(ses):
    """GIVEN the stored contact `a@b.com\\r\\nBcc: x@evil` WHEN sent THEN RecipientUnreachable
    (invalid_address) and no SES call at all (the stubber has nothing queued)."""
    client, _ = ses
    with pytest.raises(RecipientUnreachable) as caught:
        send(client, "a@b.com\r\nBcc: x@evil")
    assert caught.value.details["reason"] == "invalid_address"


@pytest.mark.parametrize("code,message,reason", [
    ("MessageRejected", NOT_VERIFIED.format("buyer@example.com"), "recipient_refused"),
    ("InvalidParameterValue", "Local address contains control or whitespace", "recipient_refused"),
])
def test_a_recipient_ses_refuses_for_good_is_unreachable(ses, code, message, reason):
    """GIVEN SES refusing the recipient WHEN sent THEN RecipientUnreachable: the outbox tries the
    next channel instead of retrying; the error keeps the code, never the address."""
    client, stub = ses
    stub.add_client_error("send_raw_email", service_error_code=code, service_message=message, http_status_code=400)
    with pytest.raises(RecipientUnreachable) as caught:
        send(client)
    assert caught.value.details == {"channel": "email", "reason": reason, "provider_code": code}


@pytest.mark.parametrize("code,message,status", [
    ("MessageRejected", NOT_VERIFIED.format(SENDER), 400),
    ("MessageRejected", NOT_VERIFIED.format(f"{SENDER}, buyer@example.com"), 400),
    ("MailFromDomainNotVerifiedException", "MAIL FROM domain not verified", 400),
    ("ConfigurationSetDoesNotExist", "Configuration set does not exist", 400),
    ("AccountSendingPausedException", "Sending paused for this account", 400),
    ("Throttling", "Maximum sending rate exceeded.", 400),
    ("ServiceUnavailable", "Service unavailable", 503),
])
def test_our_own_faults_and_provider_trouble_are_retried(ses, code, message, status):
    """GIVEN SES refusing our sender or configuration, throttling, or failing WHEN sent THEN
    DeliveryFailed: the queue retries the record and parks it in the DLQ if it keeps failing."""
    client, stub = ses
    stub.add_client_error("send_raw_email", service_error_code=code, service_message=message,
                          http_status_code=status)
    with pytest.raises(DeliveryFailed) as caught:
        send(client)
    assert caught.value.details["provider_code"] == code


def test_a_sender_that_is_not_an_address_is_a_configuration_fault(ses):
    """GIVEN NOTIFICATIONS_SENDER set to something that is not an address WHEN sent THEN DeliveryFailed
    (invalid_sender) before SES is called, even for a recipient that is also invalid."""
    client, _ = ses
    with pytest.raises(DeliveryFailed) as caught:
        SesEmailSender("no-reply", client=client).send("acme", {"address": "not-an-email"}, "s", "b",
                                                       idempotency_key="k")
    assert caught.value.details["reason"] == "invalid_sender"
