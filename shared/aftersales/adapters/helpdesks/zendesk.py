"""Zendesk Support API v2: tickets (create, update status, add a comment through the ticket
update) and reading a ticket with its comments. Auth: API token (basic `{email}/token:{token}`)
or an OAuth bearer token. Our ticket id rides as the ticket's `external_id` and a tag."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aftersales.adapters.helpdesks.http import VendorHttp, basic
from aftersales.helpdesks import payloads
from aftersales.helpdesks.model import InboundChange, InboundComment, Vendor
from aftersales.helpdesks.ports import HelpdeskFault, NewTicket


def authorization(settings: Mapping[str, Any]) -> str:
    if settings.get("oauth_token"):
        return f"Bearer {settings['oauth_token']}"
    return basic(f"{settings['email']}/token", str(settings["api_token"]))


class ZendeskApi:
    def __init__(self, base_url: str, http: VendorHttp) -> None:
        self._base = base_url.rstrip("/")
        self._http = http

    def create_ticket(self, ticket: NewTicket) -> str:
        answer = self._http.call("POST", f"{self._base}/api/v2/tickets.json", {"ticket": {
            "subject": ticket.subject, "comment": {"body": ticket.description, "public": False},
            "external_id": ticket.ticket_id, "tags": list(ticket.tags), "status": ticket.status}})
        created = answer.get("ticket") if isinstance(answer, dict) else None
        if not isinstance(created, dict) or created.get("id") is None:
            raise HelpdeskFault("unexpected_answer")
        return str(created["id"])

    def set_status(self, external_id: str, status: str | int) -> None:
        self._http.call("PUT", f"{self._base}/api/v2/tickets/{external_id}.json", {"ticket": {"status": status}})

    def add_comment(self, external_id: str, body: str, *, public: bool) -> str:
        answer = self._http.call("PUT", f"{self._base}/api/v2/tickets/{external_id}.json",
                                 {"ticket": {"comment": {"body": body, "public": public}}})
        events = ((answer.get("audit") or {}).get("events") or []) if isinstance(answer, dict) else []
        for event in events:
            if isinstance(event, dict) and event.get("type") == "Comment" and event.get("id") is not None:
                return str(event["id"])
        raise HelpdeskFault("unexpected_answer")

    def read_changes(self, external_id: str) -> InboundChange:
        ticket = self._http.call("GET", f"{self._base}/api/v2/tickets/{external_id}.json").get("ticket") or {}
        listed = self._http.call("GET", f"{self._base}/api/v2/tickets/{external_id}/comments.json")
        at = payloads.parse_time(ticket.get("updated_at"), "ticket.updated_at")
        comments = [InboundComment(comment_id=str(c["id"]), body=str(c.get("body") or ""),
                                   public=bool(c.get("public")), author_id=str(c.get("author_id")),
                                   at=payloads.parse_time(c.get("created_at"), "comments.created_at"))
                    for c in listed.get("comments") or [] if isinstance(c, dict) and c.get("id") is not None]
        return InboundChange(vendor=Vendor.ZENDESK, external_id=str(external_id),
                             our_ticket_id=ticket.get("external_id"),
                             source_at=at, status=ticket.get("status"),
                             assignee_id=None if ticket.get("assignee_id") is None else str(ticket["assignee_id"]),
                             comments=comments)
