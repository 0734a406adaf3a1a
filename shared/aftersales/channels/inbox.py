"""The unmatched inbox (pure): what an agent sees of a parked item, the listing cursor, retention.

A parked item is listed by its message id (`msg_<ULID>`, so newest first is descending id order).
The view shows what a conversation item would show (channel-scoped author, subject, body,
attachment references); the identity key the item is parked under (an e-mail address or a platform
user id) never leaves the service.
"""

from __future__ import annotations

import base64
import json
import re
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from aftersales.channels import email_inbound
from aftersales.core.clock import iso, parse_iso
from aftersales.core.errors import InvalidRequest
from aftersales.core.model import DomainModel

PARKED_RETENTION = timedelta(days=90)  # parked items and settlement records expire (DynamoDB TTL) after this
ITEM_ID = re.compile(r"^msg_[0-9A-HJKMNP-TV-Z]{26}$")
FILED_EVENT = "ticket.inbox_message_filed"  # audit note on the ticket an agent filed an item on


class DismissReason(StrEnum):
    SPAM = "spam"
    DUPLICATE = "duplicate"
    NOT_AFTER_SALES = "not_after_sales"
    WRONG_RECIPIENT = "wrong_recipient"
    OTHER = "other"


class UnmatchedItem(DomainModel):
    item_id: str
    parked_at: str
    expires_at: str
    channel: str
    author: str  # channel-scoped sender id ("wecom:<digest>", "email:<digest>", "douyin:platform")
    subject: str | None = None
    body: str = ""
    order_numbers: list[str] = []  # orders the message names (none of them known when it arrived)
    ticket_numbers: list[str] = []
    attachments: list[dict[str, Any]] = []


class Settlement(DomainModel):
    """How a listed item left the inbox (kept for the retention period; the 409 of a second try)."""

    item_id: str
    action: str  # filed (by an agent) | dismissed | matched (a replay filed it)
    at: str
    by: str  # staff user id, or the system actor of an automatic match
    role: str | None = None
    channel: str | None = None
    ticket_id: str | None = None
    customer_id: str | None = None  # the customer the agent linked the sender to
    reason: str | None = None  # a DismissReason
    note: str | None = None
    also_filed: list[str] = []  # other parked items of the same sender that the link filed

    def record(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


class UnmatchedPage(DomainModel):
    items: list[UnmatchedItem]
    next_cursor: str | None = None


def expires_epoch(parked_at: str, retention: timedelta = PARKED_RETENTION) -> int:
    """TTL of an item parked at `parked_at` (ISO): derived from the parked time, so saving the same
    item again (e.g. with its attachments) never extends it."""
    return int((parse_iso(parked_at) + retention).timestamp())


def epoch_iso(epoch: int) -> str:
    return iso(datetime.fromtimestamp(epoch, UTC))


def encode_cursor(before: str | None) -> str | None:
    if not before:
        return None
    return base64.urlsafe_b64encode(json.dumps({"before": before}).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> str | None:
    """The item id the next page starts below; 422 for anything we did not hand out."""
    if not cursor:
        return None
    try:
        before = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))["before"]
    except (ValueError, TypeError, KeyError, UnicodeDecodeError):
        raise InvalidRequest("error.bad_cursor", field="cursor") from None
    if not isinstance(before, str) or not ITEM_ID.match(before):
        raise InvalidRequest("error.bad_cursor", field="cursor")
    return before


def douyin_summary(doc: dict[str, Any]) -> tuple[str, list[str]]:
    """A parked Douyin command as one line (never the raw push: it may carry buyer details)."""
    try:
        command = json.loads(doc.get("body") or "{}")
    except ValueError:
        command = {}
    order_id, aftersale = command.get("order_id"), command.get("aftersale_id")
    stage = command.get("to_stage") or command.get("topic") or command.get("kind") or ""
    text = f"Douyin {command.get('command', 'event')} (tag {command.get('tag', '?')}"
    text += f", {stage})" if stage else ")"
    if aftersale:
        text += f" for after-sale {aftersale}"
    if order_id:
        text += f" on order {order_id}"
    return text, [order_id] if order_id else []


def view(item_id: str, doc: dict[str, Any], expires: int) -> UnmatchedItem:
    base = {"item_id": item_id, "parked_at": doc["at"], "expires_at": epoch_iso(expires),
            "channel": doc.get("channel") or "unknown", "author": doc.get("author") or "unknown"}
    if base["channel"] == "douyin":
        summary, orders = douyin_summary(doc)
        return UnmatchedItem(**base, body=summary, order_numbers=orders)
    refs = email_inbound.references_in(doc.get("subject"), doc.get("body"))
    return UnmatchedItem(**base, subject=doc.get("subject"), body=doc.get("body") or "",
                         order_numbers=list(refs.order_numbers), ticket_numbers=list(refs.ticket_numbers),
                         attachments=list(doc.get("attachments") or []))
