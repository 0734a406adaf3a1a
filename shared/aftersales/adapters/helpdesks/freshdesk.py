"""Freshdesk API v2: tickets (create, update status), replies (public) and notes (private), and
reading a ticket with its conversations. Auth: the API key as basic `{key}:X`. Our ticket id
rides as the tag `aftersales_id_<id>` (a custom field needs the admin to create it first; when
`cf_aftersales_ticket` exists it is read too). The requester is a contact keyed by
`unique_external_id` = our customer id: no e-mail address or phone number leaves the platform."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aftersales.adapters.helpdesks.http import VendorHttp, basic
from aftersales.helpdesks import payloads
from aftersales.helpdesks.model import InboundChange
from aftersales.helpdesks.ports import HelpdeskFault, NewTicket

PRIORITY_MEDIUM = 2
SOURCE_PORTAL = 2


def authorization(settings: Mapping[str, Any]) -> str:
    return basic(str(settings["api_key"]), "X")


class FreshdeskApi:
    def __init__(self, base_url: str, http: VendorHttp) -> None:
        self._base = base_url.rstrip("/")
        self._http = http

    def create_ticket(self, ticket: NewTicket) -> str:
        answer = self._http.call("POST", f"{self._base}/api/v2/tickets", {
            "subject": ticket.subject, "description": ticket.description, "status": ticket.status,
            "priority": PRIORITY_MEDIUM, "source": SOURCE_PORTAL, "tags": list(ticket.tags),
            "unique_external_id": ticket.requester_ref})
        if not isinstance(answer, dict) or answer.get("id") is None:
            raise HelpdeskFault("unexpected_answer")
        return str(answer["id"])

    def set_status(self, external_id: str, status: str | int) -> None:
        self._http.call("PUT", f"{self._base}/api/v2/tickets/{external_id}", {"status": int(status)})

    def add_comment(self, external_id: str, body: str, *, public: bool) -> str:
        if public:
            answer = self._http.call("POST", f"{self._base}/api/v2/tickets/{external_id}/reply", {"body": body})
        else:
            answer = self._http.call("POST", f"{self._base}/api/v2/tickets/{external_id}/notes",
                                     {"body": body, "private": True})
        if not isinstance(answer, dict) or answer.get("id") is None:
            raise HelpdeskFault("unexpected_answer")
        return str(answer["id"])

    def read_changes(self, external_id: str) -> InboundChange:
        ticket = self._http.call("GET", f"{self._base}/api/v2/tickets/{external_id}")
        conversations = self._http.call("GET", f"{self._base}/api/v2/tickets/{external_id}/conversations")
        if not isinstance(ticket, dict) or not isinstance(conversations, list):
            raise HelpdeskFault("unexpected_answer")
        return payloads.freshdesk_ticket(ticket, conversations)
