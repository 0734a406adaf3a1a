"""Inbound e-mail (raw MIME) -> a parsed message with thread key and extracted references.

Bounded on the way in: a Message-ID / In-Reply-To / References id longer than MAX_MESSAGE_ID (or
holding anything but printable ASCII) is dropped, as is a From address longer than an address can
be; only the newest MAX_REFERENCES references are kept; subject and text are cut to MAX_SUBJECT /
MAX_TEXT characters. A mail always parses: what cannot be read is left out, never fatal.
"""

from __future__ import annotations

import html
import re
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

from pydantic import ConfigDict, Field

from aftersales.core.model import DomainModel

MAX_MESSAGE_ID = 250  # RFC 5322 allows 998 per line; real ids are well under 100
_MSG_ID = re.compile(r"<[!-;=?-~]{1,%d}>" % (MAX_MESSAGE_ID - 2))  # printable ASCII but "<", ">"
MAX_REFERENCES = 20
MAX_ADDRESS = 254  # RFC 5321 path limit
MAX_SUBJECT = 998
MAX_TEXT = 32_000  # a conversation item stays far below DynamoDB's 400 KB in any script


class Attachment(DomainModel):
    model_config = ConfigDict(frozen=True)

    filename: str
    content_type: str
    content: bytes


class InboundEmail(DomainModel):
    model_config = ConfigDict(frozen=True)

    message_id: str | None
    in_reply_to: str | None
    references: tuple[str, ...]
    from_address: str | None  # lower-cased addr-spec only, no display name
    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()


class _TextExtractor(HTMLParser):
    """HTML -> plain text: drops script/style, breaks lines at block elements."""

    _SKIP = frozenset({"script", "style", "head"})
    _BREAK = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BREAK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    extractor = _TextExtractor()
    extractor.feed(markup)
    text = html.unescape("".join(extractor.parts))
    lines = (re.sub(r"[ \t\xa0]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def _header(msg: EmailMessage, name: str) -> str:
    try:
        return str(msg.get(name, "") or "")
    except (ValueError, TypeError, LookupError, IndexError):  # a header the parser cannot decode
        return ""


def _ids(value: str | None) -> tuple[str, ...]:
    return tuple(_MSG_ID.findall(value or ""))


def _first_id(value: str | None) -> str | None:
    found = _ids(value)
    if found:
        return found[0]
    bare = (value or "").strip()
    return bare if bare and len(bare) <= MAX_MESSAGE_ID and bare.isascii() and bare.isprintable() else None


def _from_address(msg: EmailMessage) -> str | None:
    pairs = getaddresses([_header(msg, "From")])
    address = (pairs[0][1] if pairs else "").strip().lower()
    return address if address and len(address) <= MAX_ADDRESS and address.isprintable() else None


def _body_text(msg: EmailMessage) -> str:
    try:
        part = msg.get_body(preferencelist=("plain",))
        if part is not None:
            return part.get_content().strip()[:MAX_TEXT]
        part = msg.get_body(preferencelist=("html",))
        return html_to_text(part.get_content())[:MAX_TEXT] if part is not None else ""
    except (ValueError, TypeError, LookupError, UnicodeError, AttributeError, KeyError):  # unreadable body
        return ""


def _attachments(msg: EmailMessage) -> tuple[Attachment, ...]:
    found = []
    for part in msg.iter_attachments():
        payload = part.get_payload(decode=True) or b""
        found.append(Attachment(filename=part.get_filename() or "attachment",
                                content_type=part.get_content_type(), content=payload))
    return tuple(found)


def parse_email(raw: bytes) -> InboundEmail:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    return InboundEmail(
        message_id=_first_id(_header(msg, "Message-ID")),
        in_reply_to=_first_id(_header(msg, "In-Reply-To")),
        references=_ids(_header(msg, "References"))[-MAX_REFERENCES:],
        from_address=_from_address(msg),
        subject=_header(msg, "Subject").strip()[:MAX_SUBJECT],
        text=_body_text(msg),
        attachments=_attachments(msg),
    )


def thread_candidates(email: InboundEmail) -> tuple[str, ...]:
    """Message ids to look up, best first: In-Reply-To, then References newest to oldest."""
    ordered: list[str] = []
    for candidate in (email.in_reply_to, *reversed(email.references)):
        if candidate and candidate not in ordered:
            ordered.append(candidate)
    return tuple(ordered)


def thread_key(email: InboundEmail) -> str | None:
    """The conversation root: the first References entry (RFC 5322 puts the root first), else
    In-Reply-To, else this message starts a new thread (its own Message-ID)."""
    if email.references:
        return email.references[0]
    return email.in_reply_to or email.message_id


class ReferencePatterns(DomainModel):
    """Per-tenant regexes; each needs one capture group holding the number."""

    order: tuple[str, ...] = Field(default=(r"(?i)\border\s*(?:no\.?|number|#)?\s*[:#]?\s*([A-Z0-9-]{6,32})\b",
                                            r"订单号?\s*[:：]?\s*([A-Z0-9-]{6,32})"))
    ticket: tuple[str, ...] = Field(default=(r"\[(TKT_[0-9A-HJKMNP-TV-Z]{26})\]", r"\b(TKT_[0-9A-HJKMNP-TV-Z]{26})\b"))


class ExtractedReferences(DomainModel):
    model_config = ConfigDict(frozen=True)

    order_numbers: tuple[str, ...] = ()
    ticket_numbers: tuple[str, ...] = ()


def _find_all(patterns: tuple[str, ...], *texts: str) -> tuple[str, ...]:
    found: list[str] = []
    for pattern in patterns:
        compiled = re.compile(pattern)
        for text in texts:
            for match in compiled.finditer(text):
                value = match.group(1)
                if value not in found:
                    found.append(value)
    return tuple(found)


def extract_references(email: InboundEmail, patterns: ReferencePatterns | None = None
                       ) -> ExtractedReferences:
    """Subject first (customers and our own replies put the number there), then the body."""
    return references_in(email.subject, email.text, patterns)


def references_in(subject: str | None, text: str | None, patterns: ReferencePatterns | None = None
                  ) -> ExtractedReferences:
    """The order and ticket numbers a message (of any channel) names, subject first."""
    patterns = patterns or ReferencePatterns()
    subject, text = subject or "", text or ""
    return ExtractedReferences(order_numbers=_find_all(patterns.order, subject, text),
                               ticket_numbers=_find_all(patterns.ticket, subject, text))


def thread_index_key(message_id: str) -> str:
    """The index key that threads replies to `message_id` onto the ticket it was filed on."""
    return f"MAIL#{message_id}"
