"""Inbound e-mail as intake, once per Message-ID: a reply to a mail we know goes to that mail's
ticket (threading); any other mail is free-text intake (TextIntake). Attachments are stored in S3
under the ticket (or under `parked/` while the mail waits in the unmatched inbox).

Nothing here logs addresses or message bodies; authors are digests of the sender's address.
"""

from __future__ import annotations

from typing import Any

from aftersales.channels import email_inbound
from aftersales.channels.aggregation import Aggregation
from aftersales.channels.conversations import Conversations
from aftersales.channels.dedupe import Dedupe
from aftersales.channels.identity import Identity, email_identity
from aftersales.channels.intake import IntakeResult, digest
from aftersales.channels.parking import Parking
from aftersales.channels.ports import AttachmentStore, IndexKeys
from aftersales.channels.text_intake import TextIntake, TextMessage
from aftersales.core.contacts import valid_email
from aftersales.core.errors import InvalidRequest

SOURCE = "email"


def mail_contact(address: str | None) -> tuple[str, str] | None:
    """The sender of an inbound mail as the customer's e-mail contact, only when it is an address
    we can write back to: a From that cannot be one is still taken in, but never stored to send to."""
    try:
        return (SOURCE, valid_email(address, "from")) if address else None
    except InvalidRequest:
        return None


def attachment_key(tenant_id: str, owner: str, external_id: str, index: int, filename: str) -> str:
    """`<tenant>/<ticket id or "parked">/<digest of the Message-ID>/<n>-<safe file name>`."""
    name = "".join(c for c in filename if c.isalnum() or c in "._-")[:100] or "attachment"
    return f"{tenant_id}/{owner}/{digest(external_id)}/{index}-{name}"


class EmailIntake:
    def __init__(self, dedupe: Dedupe, keys: IndexKeys, aggregation: Aggregation, conversations: Conversations,
                 text: TextIntake, parking: Parking, attachments: AttachmentStore | None = None) -> None:
        """`attachments`: where attachment bytes go (None: attachments are dropped)."""
        self._dedupe, self._keys, self._aggregation = dedupe, keys, aggregation
        self._conversations, self._text, self._parking = conversations, text, parking
        self._attachments = attachments

    def receive(self, tenant_id: str, raw: bytes) -> IntakeResult:
        """One raw MIME message; the same Message-ID (or the same bytes, without one) again is a duplicate."""
        mail = email_inbound.parse_email(raw)
        external_id = mail.message_id or digest(raw.decode("utf-8", "replace"))
        result = self._dedupe.once(tenant_id, SOURCE, external_id, lambda: self._file(tenant_id, mail, external_id))
        if result is None:
            return IntakeResult(source=SOURCE, external_id=external_id, outcome="duplicate")
        return result

    def _file(self, tenant_id: str, mail: email_inbound.InboundEmail, external_id: str) -> IntakeResult:
        identities = (email_identity(mail.from_address),) if mail.from_address else ()
        author = f"email:{digest(mail.from_address or 'unknown')}"
        # Threading first: a reply to a message we know goes to that message's ticket.
        for candidate in email_inbound.thread_candidates(mail):
            ticket_id = self._keys.lookup(tenant_id, email_inbound.thread_index_key(candidate))
            if ticket_id and self._aggregation.is_open(tenant_id, ticket_id):
                attachments = self._store_attachments(tenant_id, ticket_id, external_id, mail)
                self._conversations.customer_wrote(tenant_id, ticket_id, channel=SOURCE, author=author,
                                                   body=mail.text, subject=mail.subject, external_id=external_id,
                                                   attachments=attachments)
                self._thread(tenant_id, external_id, ticket_id)
                return IntakeResult(source=SOURCE, external_id=external_id, outcome="commented", ticket_id=ticket_id)
        result = self._text.file(tenant_id, TextMessage(
            channel=SOURCE, identities=identities, author=author, body=mail.text, subject=mail.subject,
            external_id=external_id, contact=mail_contact(mail.from_address)))
        if result.outcome == "parked" and mail.attachments:
            self._attach_to_parked(tenant_id, identities, external_id, mail)
        if result.ticket_id:
            self._thread(tenant_id, external_id, result.ticket_id)
            if mail.attachments:
                attachments = self._store_attachments(tenant_id, result.ticket_id, external_id, mail)
                self._conversations.add(tenant_id, result.ticket_id, channel=SOURCE, direction="system",
                                        author="system", body="attachments", external_id=external_id,
                                        attachments=attachments)
        return result

    def _thread(self, tenant_id: str, external_id: str, ticket_id: str) -> None:
        """Replies to this mail thread onto `ticket_id`."""
        self._keys.claim(tenant_id, email_inbound.thread_index_key(external_id), ticket_id)

    def _attach_to_parked(self, tenant_id: str, identities: tuple[Identity, ...], external_id: str,
                          mail: email_inbound.InboundEmail) -> None:
        """A parked mail's attachments go to S3 now (under `parked/`); the parked item points at
        them, so the replay puts them on the ticket without the raw mail."""
        key = identities[0].key if identities else "email:unknown"
        stored = self._store_attachments(tenant_id, "parked", external_id, mail)
        self._parking.update(tenant_id, key, external_id, attachments=stored)

    def _store_attachments(self, tenant_id: str, owner: str, external_id: str,
                           mail: email_inbound.InboundEmail) -> list[dict[str, Any]]:
        if not mail.attachments or self._attachments is None:
            return []
        stored = []
        for index, attachment in enumerate(mail.attachments):
            key = attachment_key(tenant_id, owner, external_id, index, attachment.filename)
            self._attachments.put(tenant_id, key, attachment.content, attachment.content_type)
            stored.append({"key": key, "filename": attachment.filename, "content_type": attachment.content_type,
                           "size": len(attachment.content)})
        return stored
