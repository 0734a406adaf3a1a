"""Reading the vendors' JSON (pure): Zendesk's ticket event webhooks and Freshdesk's ticket and
conversation responses, into one InboundChange. Unknown event types are None (answered 200 and
ignored: Zendesk adds event types at any time)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from aftersales.core.clock import parse_iso
from aftersales.core.errors import InvalidRequest
from aftersales.helpdesks.model import InboundChange, InboundComment, Vendor

ZENDESK_COMMENT = "zen:event-type:ticket.comment_added"
ZENDESK_STATUS = "zen:event-type:ticket.status_changed"
ZENDESK_ASSIGNEE = "zen:event-type:ticket.agent_assignment_changed"
ZENDESK_TYPES = frozenset({ZENDESK_COMMENT, ZENDESK_STATUS, ZENDESK_ASSIGNEE})
OUR_TAG = re.compile(r"^aftersales_id_(tkt_[0-9A-Za-z_]{1,60})$")
FRESHDESK_REF_FIELD = "cf_aftersales_ticket"


def json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("helpdesk.body_not_json", field="body") from None
    if not isinstance(payload, dict):
        raise InvalidRequest("helpdesk.body_not_json", field="body")
    return payload


def parse_time(value: object, field: str) -> datetime:
    try:
        return parse_iso(str(value))
    except ValueError:
        raise InvalidRequest("helpdesk.payload_invalid", field=field, problem="not a time") from None


def _text(value: object) -> str | None:
    return None if value is None or value == "" else str(value)


def zendesk_event(payload: Mapping[str, Any]) -> InboundChange | None:
    """A Zendesk webhook body (event-type webhooks, `zendesk_event_version` 2022-06-20)."""
    kind = payload.get("type")
    if kind not in ZENDESK_TYPES:
        return None
    detail, event = payload.get("detail"), payload.get("event")
    if not isinstance(detail, Mapping) or not isinstance(event, Mapping) or not _text(detail.get("id")):
        raise InvalidRequest("helpdesk.payload_invalid", field="detail.id", problem="missing")
    at = parse_time(payload.get("time") or detail.get("updated_at"), "time")
    common: dict[str, Any] = {"vendor": Vendor.ZENDESK, "external_id": str(detail["id"]),
                              "our_ticket_id": _text(detail.get("external_id")), "source_at": at,
                              "event_id": _text(payload.get("id")), "actor_id": _text(detail.get("actor_id"))}
    if kind == ZENDESK_STATUS:
        return InboundChange(status=_text(event.get("current") or detail.get("status")), **common)
    if kind == ZENDESK_ASSIGNEE:
        current = event.get("current")
        assignee = current.get("id") if isinstance(current, Mapping) else current
        return InboundChange(assignee_id=_text(assignee) or _text(detail.get("assignee_id")), **common)
    comment = event.get("comment")
    if not isinstance(comment, Mapping) or not _text(comment.get("id")):
        raise InvalidRequest("helpdesk.payload_invalid", field="event.comment.id", problem="missing")
    author = comment.get("author") if isinstance(comment.get("author"), Mapping) else {}
    return InboundChange(comments=[InboundComment(
        comment_id=str(comment["id"]), body=str(comment.get("body") or ""), public=bool(comment.get("is_public")),
        author_id=str(author.get("id") or "unknown"), author_name=_text(author.get("name")), at=at)], **common)


def freshdesk_ticket(ticket: Mapping[str, Any], conversations: list[Mapping[str, Any]]) -> InboundChange:
    """GET /api/v2/tickets/{id} and its /conversations: status, responder and the public replies
    their agents wrote (`incoming` false: an agent's, not the requester's; `private` false)."""
    if not _text(ticket.get("id")):
        raise InvalidRequest("helpdesk.payload_invalid", field="id", problem="missing")
    custom = ticket.get("custom_fields") if isinstance(ticket.get("custom_fields"), Mapping) else {}
    ours = _text(custom.get(FRESHDESK_REF_FIELD))
    for tag in ticket.get("tags") or []:
        match = OUR_TAG.match(str(tag))
        if ours is None and match:
            ours = match.group(1)
    comments = [InboundComment(comment_id=str(c["id"]), body=str(c.get("body_text") or ""),
                               public=not c.get("private") and not c.get("incoming"),
                               author_id=str(c.get("user_id") or "unknown"),
                               at=parse_time(c.get("created_at"), "conversations.created_at"))
                for c in conversations if isinstance(c, Mapping) and _text(c.get("id"))]
    return InboundChange(vendor=Vendor.FRESHDESK, external_id=str(ticket["id"]), our_ticket_id=ours,
                         source_at=parse_time(ticket.get("updated_at"), "updated_at"),
                         status=_text(ticket.get("status")), assignee_id=_text(ticket.get("responder_id")),
                         actor_id=_text(ticket.get("responder_id")),
                         comments=comments)
