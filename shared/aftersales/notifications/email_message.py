"""Outgoing customer e-mail as a MIME message (pure: no I/O), built with the standard library.

Headers are set only through `email.message.EmailMessage` and `email.headerregistry.Address`
under the SMTP policy: the subject and display names are RFC 2047-encoded when they are not
ASCII, addresses come from the one validator (aftersales.core.contacts) in their ASCII form, and
any line break in a header value is folded into a space first, so no value can start a header
of its own. The body is quoted-printable UTF-8 (SES takes 7-bit content).
"""

from __future__ import annotations

import re
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage

from aftersales.core.contacts import EmailAddress, email_address
from aftersales.core.errors import InvalidRequest
from aftersales.notifications.errors import DeliveryFailed, RecipientUnreachable

# CR, LF and every other character str.splitlines() breaks on, plus the remaining C0/C1 controls
_BREAKS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
MAX_SUBJECT = 200


def one_line(text: str) -> str:
    """A header value on one line: line breaks and control characters become single spaces."""
    return " ".join(_BREAKS.sub(" ", text).split())


def recipient(address: object) -> EmailAddress:
    """The customer's stored address, checked again at send time (it may predate validation).
    Raises RecipientUnreachable (reason invalid_address): this channel can never reach them."""
    try:
        return email_address(address if isinstance(address, str) else "", "address")
    except InvalidRequest as exc:
        raise RecipientUnreachable("error.recipient_unreachable", channel="email", reason="invalid_address") from exc


def sender(address: str) -> EmailAddress:
    """The configured From address; an invalid one is a configuration fault: DeliveryFailed
    (reason invalid_sender), so the queue retries and then parks the message in the DLQ."""
    try:
        return email_address(address, "notifications_sender")
    except InvalidRequest as exc:
        raise DeliveryFailed("error.delivery_failed", channel="email", reason="invalid_sender") from exc


def build_email(*, from_address: EmailAddress, from_name: str, to: EmailAddress, subject: str,
                body: str) -> EmailMessage:
    message = EmailMessage(policy=policy.SMTP)
    message["From"] = Address(display_name=one_line(from_name), username=from_address.local,
                              domain=from_address.domain)
    message["To"] = Address(username=to.local, domain=to.domain)
    message["Subject"] = one_line(subject)[:MAX_SUBJECT]
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message
