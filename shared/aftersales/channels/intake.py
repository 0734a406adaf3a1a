"""Pure intake rules shared by every channel: what the customer is asking about (issue category),
which ticket type that opens, and what became of a message (IntakeResult)."""

from __future__ import annotations

import hashlib
import re

from aftersales.channels.identity import IssueCategory
from aftersales.core.model import DomainModel
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role, TicketType

SYSTEM = Actor(id="system:channels", roles=frozenset({Role.SYSTEM}))  # who files intake on tickets


class IntakeResult(DomainModel):
    source: str
    external_id: str | None
    outcome: str  # created | joined | commented | transitioned | duplicate | parked | ignored | queued | synced (kf)
    ticket_id: str | None = None
    detail: str | None = None


def digest(value: str) -> str:
    """A short stable stand-in for a sender id or a body (never the value itself in authors or keys)."""
    return hashlib.sha256(value.encode()).hexdigest()[:32]

# First match wins; ordered from the most to the least specific request.
_KEYWORDS: tuple[tuple[IssueCategory, re.Pattern[str]], ...] = tuple(
    (category, re.compile(pattern, re.IGNORECASE)) for category, pattern in (
        (IssueCategory.EXCHANGE, r"\bexchange\b|换货|调换"),
        (IssueCategory.REPAIR, r"\brepair\b|维修|保修"),
        (IssueCategory.SHIPPING_FEE, r"shipping fee|postage|运费"),
        (IssueCategory.RETURN_REFUND, r"\breturn\b|退货|退回"),
        (IssueCategory.REFUND_ONLY, r"\brefund\b|退款"),
        (IssueCategory.DAMAGED, r"\bdamaged?\b|\bbroken\b|破损|损坏|坏了"),
        (IssueCategory.WRONG_ITEM, r"wrong item|发错"),
        (IssueCategory.NOT_RECEIVED, r"not (?:yet )?(?:received|arrived)|\blost\b|没收到|未收到|丢件"),
        (IssueCategory.QUALITY, r"\bquality\b|质量"),
        (IssueCategory.COMPLAINT, r"\bcomplain|投诉"),
    ))

TICKET_TYPES: dict[IssueCategory, TicketType] = {
    IssueCategory.RETURN_REFUND: TicketType.RETURN_REFUND,
    IssueCategory.DAMAGED: TicketType.RETURN_REFUND,
    IssueCategory.WRONG_ITEM: TicketType.RETURN_REFUND,
    IssueCategory.QUALITY: TicketType.RETURN_REFUND,
    IssueCategory.REFUND_ONLY: TicketType.REFUND_ONLY,
    IssueCategory.EXCHANGE: TicketType.EXCHANGE,
    IssueCategory.REPAIR: TicketType.REPAIR,
    IssueCategory.SHIPPING_FEE: TicketType.SHIPPING_FEE_REFUND,
    IssueCategory.NOT_RECEIVED: TicketType.COMPLAINT,
    IssueCategory.COMPLAINT: TicketType.COMPLAINT,
    IssueCategory.OTHER: TicketType.COMPLAINT,
}


def classify(*texts: str | None) -> IssueCategory:
    for category, pattern in _KEYWORDS:
        if any(text and pattern.search(text) for text in texts):
            return category
    return IssueCategory.OTHER


def ticket_type(category: IssueCategory) -> TicketType:
    return TICKET_TYPES[category]
