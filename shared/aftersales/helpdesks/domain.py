"""The pure rules of the helpdesk sync: which of our ticket events become which vendor change,
how statuses map each way, loop prevention and the conflict rule. No I/O, no clock reads.

Loop prevention: every change we apply from a vendor carries `origin=<vendor>` in its audit
entry's data, and `plan` never turns such an entry into a call to that vendor; comments we
created there are remembered on the link, so their webhook echo is dropped on the way in.
Conflicts: a vendor's status change applies only when its source time is later than the time of
the status we last know on the link; otherwise ours stands, and both versions go on the audit chain.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from aftersales.core.clock import parse_iso
from aftersales.helpdesks.model import InboundComment, Link, OutboundChange, Vendor
from aftersales.tickets.domain import AGENT_REPLIED, INTERNAL_NOTE
from aftersales.tickets.model import Status
from aftersales.tickets.transitions import CREATED_EVENT

ORIGIN = "origin"
HELPDESK_REPLIED = "ticket.helpdesk_replied"
HELPDESK_CONFLICT = "ticket.helpdesk_conflict"
HELPDESK_STATUS_REFUSED = "ticket.helpdesk_status_not_applied"
HELPDESK_ASSIGNEE = "ticket.helpdesk_assignee_recorded"
# our own audit notes about the sync: never sent back out
SYNC_EVENTS = frozenset({HELPDESK_REPLIED, HELPDESK_CONFLICT, HELPDESK_STATUS_REFUSED, HELPDESK_ASSIGNEE})

S = Status
_WAITING = frozenset({S.WAITING_CUSTOMER})
_SOLVED = frozenset({S.RESOLVED, S.REFUNDED, S.RESHIPPED, S.REPAIRED, S.RETURNED_TO_CUSTOMER, S.REJECTED,
                     S.UNREPAIRABLE})
_CLOSED = frozenset({S.CLOSED, S.CANCELLED})

# Zendesk: new, open, pending, hold, solved, closed. Freshdesk: 2 Open, 3 Pending, 4 Resolved, 5 Closed.
_ZENDESK_OUT = (( _CLOSED, "closed"), (_SOLVED, "solved"), (_WAITING, "pending"), (frozenset({S.SUBMITTED}), "new"))
_FRESHDESK_OUT = ((_CLOSED, 5), (_SOLVED, 4), (_WAITING, 3))
# Inbound: the statuses of ours a vendor status may move a ticket to, in order of preference
# (the ticket type's transition table decides which one, if any, is allowed from where it is).
_INBOUND: Mapping[Vendor, Mapping[str, tuple[Status, ...]]] = {
    Vendor.ZENDESK: {"pending": (S.WAITING_CUSTOMER,), "solved": (S.RESOLVED,), "closed": (S.CLOSED, S.RESOLVED)},
    Vendor.FRESHDESK: {"3": (S.WAITING_CUSTOMER,), "4": (S.RESOLVED,), "5": (S.CLOSED, S.RESOLVED)},
}


def vendor_status(vendor: Vendor, status: Status) -> str | int:
    """Our status as the vendor's: the vendor's open status for anything still being worked on."""
    table = _ZENDESK_OUT if vendor is Vendor.ZENDESK else _FRESHDESK_OUT
    for ours, theirs in table:
        if status in ours:
            return theirs
    return "open" if vendor is Vendor.ZENDESK else 2


def inbound_targets(vendor: Vendor, status: str) -> tuple[Status, ...]:
    """Ours for a vendor status; () for those with no counterpart (Zendesk new/open/hold, Freshdesk 2)."""
    return _INBOUND[vendor].get(str(status), ())


def came_from(data: Mapping[str, Any] | None, vendor: Vendor) -> bool:
    return isinstance(data, Mapping) and data.get(ORIGIN) == vendor.value


def plan(detail: Mapping[str, Any], vendor: Vendor) -> OutboundChange | None:
    """The vendor change one of our ticket events makes, or None (not synced, or it came from there)."""
    event, data = detail.get("event"), detail.get("data") or {}
    if came_from(data, vendor) or event in SYNC_EVENTS:
        return None
    common = {"vendor": vendor, "tenant_id": detail["tenant_id"], "ticket_id": detail["ticket_id"],
              "key": f"{detail.get('dedup_key') or detail['ticket_id'] + '#' + str(detail['seq'])}#{vendor.value}",
              "at": parse_iso(detail["at"])}
    if event == CREATED_EVENT:
        return OutboundChange(kind="create", status=detail.get("to_status"), **common)
    if event in (AGENT_REPLIED, INTERNAL_NOTE) and isinstance(data.get("message_id"), str):
        return OutboundChange(kind="comment", message_id=data["message_id"], public=event == AGENT_REPLIED, **common)
    if detail.get("from_status") is not None and detail.get("to_status") != detail.get("from_status"):
        ours, before = Status(detail["to_status"]), Status(detail["from_status"])
        if vendor_status(vendor, ours) == vendor_status(vendor, before):
            return None  # e.g. approved -> awaiting_return: still "open" there, nothing to say
        return OutboundChange(kind="status", status=ours.value, **common)
    return None


Winner = Literal["theirs", "ours"]


def resolve(ours_at: datetime | None, theirs_at: datetime) -> Winner:
    """The later source time wins; a tie keeps ours (the platform is the ticket's system of record)."""
    return "theirs" if ours_at is None or theirs_at > ours_at else "ours"


def new_comments(link: Link, comments: list[InboundComment]) -> list[InboundComment]:
    """Public comments not yet on our side and not our own echo, oldest first."""
    known = set(link.sent_comment_ids) | set(link.received_comment_ids)
    return sorted((c for c in comments if c.public and c.comment_id not in known and c.body.strip()),
                  key=lambda c: c.at)


def remember(ids: list[str], new: list[str], keep: int = 200) -> list[str]:
    """The last `keep` comment ids (a link item stays small; older echoes are long past)."""
    merged = [*ids, *(i for i in new if i not in ids)]
    return merged[-keep:]
