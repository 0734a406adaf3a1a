"""Outgoing customer e-mail built with the standard library (aftersales.notifications.email_message)."""

from email import policy
from email.parser import BytesParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from aftersales.notifications.email_message import build_email, one_line, recipient, sender
from aftersales.notifications.errors import DeliveryFailed, RecipientUnreachable

INJECTION = "a@b.com\r\nBcc: x@evil"
HEADERS = ["From", "To", "Subject", "Content-Type", "Content-Transfer-Encoding", "MIME-Version"]


def parsed(raw: bytes):
    return BytesParser(policy=policy.default).parsebytes(raw)


def build(subject: str = "[TKT-1] Reply", from_name: str = "", to: str = "buyer@example.com", body: str = "Hello"):
    return build_email(from_address=sender("no-reply@example.com"), from_name=from_name, to=recipient(to),
                       subject=subject, body=body).as_bytes()


@pytest.mark.parametrize("stored", [INJECTION, "not-an-email", "", None, 42, "Buyer <buyer@example.com>"])
def test_a_stored_address_that_cannot_be_one_is_unreachable_not_a_crash(stored):
    """GIVEN a contact stored before addresses were validated (or one missing its address)
    WHEN the outbox prepares the e-mail
    THEN RecipientUnreachable with the reason code invalid_address, and no address in the error."""
    with pytest.raises(RecipientUnreachable) as caught:
        recipient(stored)
    assert caught.value.details == {"channel": "email", "reason": "invalid_address"}


def test_a_bad_sender_is_a_configuration_fault_that_is_retried():
    """GIVEN NOTIFICATIONS_SENDER that is not an address WHEN sending THEN DeliveryFailed (queue, DLQ)."""
    with pytest.raises(DeliveryFailed) as caught:
        sender("no-reply at example.com")
    assert caught.value.details["reason"] == "invalid_sender"


def test_header_injection_through_subject_and_display_name_stays_text():
    """GIVEN the real injection string in the subject and in the From display name
    WHEN the message is built and read back by a mail parser
    THEN there is no Bcc (or any extra) header, one recipient, and the text is on the Subject line."""
    raw = build(subject=f"[TKT-1] {INJECTION}", from_name=f"Shop {INJECTION}")
    message = parsed(raw)
    assert list(message.keys()) == HEADERS
    assert message["Bcc"] is None and b"\r\nBcc:" not in raw.split(b"\r\n\r\n")[0]
    assert [a.addr_spec for a in message["To"].addresses] == ["buyer@example.com"]
    assert str(message["Subject"]) == "[TKT-1] a@b.com Bcc: x@evil"
    assert message["From"].addresses[0].addr_spec == "no-reply@example.com"


def test_chinese_subject_and_display_name_are_encoded_and_the_message_is_7bit():
    """GIVEN a zh-Hans subject, sender name and body
    WHEN built
    THEN every byte is ASCII (RFC 2047 words in headers, quoted-printable body) and it decodes back."""
    raw = build(subject="[TKT-1] 关于您的售后申请的回复", from_name="小店售后", body="您好，\n请寄回商品。")
    assert raw.isascii()
    message = parsed(raw)
    assert str(message["Subject"]) == "[TKT-1] 关于您的售后申请的回复"
    assert message["From"].addresses[0].display_name == "小店售后"
    assert message["Content-Transfer-Encoding"] == "quoted-printable"
    assert message.get_content().replace("\r\n", "\n") == "您好，\n请寄回商品。\n"


def test_an_internationalised_domain_goes_out_in_its_ascii_form():
    """GIVEN a customer at an IDN domain WHEN built THEN To carries the IDNA (punycode) domain."""
    message = parsed(build(to="kunde@bücher.example"))
    assert [a.addr_spec for a in message["To"].addresses] == ["kunde@xn--bcher-kva.example"]


def test_one_line_folds_every_kind_of_line_break():
    """GIVEN CR, LF, NEL, the Unicode line/paragraph separators and other controls
    WHEN a header value is made from them THEN they become single spaces."""
    assert one_line("a\r\nb\nc\rd\x85e\u2028f\u2029g\x0bh\x00i\tj") == "a b c d e f g h i j"


@given(st.text(max_size=300), st.text(max_size=80), st.text(max_size=500))
def test_no_text_can_add_a_header_or_a_recipient(subject, from_name, body):
    """GIVEN any subject, display name and body
    WHEN the message is built and parsed back
    THEN the headers are exactly the six we set and the only recipient is the validated one."""
    message = parsed(build(subject=subject, from_name=from_name, body=body))
    assert list(message.keys()) == HEADERS
    assert [a.addr_spec for a in message["To"].addresses] == ["buyer@example.com"]
    assert [a.addr_spec for a in message["From"].addresses] == ["no-reply@example.com"]
