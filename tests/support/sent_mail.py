"""The e-mail the outbox handed to SES (moto's in-process backend), read back as a mail client
would: the raw MIME message parsed with the standard library, its headers decoded."""

from __future__ import annotations

from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser


@dataclass(frozen=True)
class SentMail:
    source: str
    destinations: list[str]  # the envelope SES delivers to
    raw: bytes
    message: EmailMessage

    @property
    def subject(self) -> str:
        return str(self.message["Subject"] or "")

    @property
    def body(self) -> str:
        part = self.message.get_body(preferencelist=("plain",))
        # on the wire lines end in CRLF (SMTP); a mail client shows line breaks
        text = part.get_content().replace("\r\n", "\n") if part is not None else ""
        return text.removesuffix("\n")

    @property
    def to(self) -> list[str]:
        return [a.addr_spec for a in self.message["To"].addresses] if self.message["To"] else []


def sent_mails() -> list[SentMail]:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import RawMessage, ses_backends

    found = []
    for sent in list(ses_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].sent_messages):
        assert isinstance(sent, RawMessage), "the outbox sends raw MIME messages only"
        raw = sent.raw_data.encode("utf-8")
        message = BytesParser(policy=policy.default).parsebytes(raw)
        assert isinstance(message, EmailMessage)
        found.append(SentMail(source=sent.source, destinations=list(sent.destinations), raw=raw, message=message))
    return found
