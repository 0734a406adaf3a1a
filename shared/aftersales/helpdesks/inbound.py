"""Their agents' changes onto our tickets. The webhook is authenticated first (nothing is read
before); a Zendesk event is deduplicated by its id; Freshdesk's webhook only names the ticket, and
its current state is read through the API (so a replay changes nothing).

Public comments go on the ticket's conversation marked with their author and vendor (plus a
`ticket.helpdesk_replied` audit entry); a status applies when its source time is later than the
one we know (domain.resolve), else both versions are recorded as a conflict; an assignee is our
staff member where the tenant mapped the agent, else recorded. Everything written carries
`origin=<vendor>`, so nothing of it goes back there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger
from pydantic import ConfigDict

from aftersales.channels.ports import ConversationItem, ConversationStore, IntegrationSettings
from aftersales.core.clock import Clock, iso
from aftersales.core.errors import Forbidden, IllegalTransition, InvalidRequest, Unavailable
from aftersales.core.ids import new_id
from aftersales.core.model import DomainModel
from aftersales.helpdesks import domain, payloads, verification
from aftersales.helpdesks.model import InboundChange, Link, Vendor, settings_name
from aftersales.helpdesks.outbound import SYNC
from aftersales.helpdesks.ports import HelpdeskApis, HelpdeskFault, LinkStore
from aftersales.logistics.verification import VerificationError
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role
from aftersales.tickets.service import TicketService

logger = Logger(child=True)
INBOUND_SCOPE = "in"


class InboundOutcome(DomainModel):
    model_config = ConfigDict(frozen=True)
    result: str  # applied | duplicate | ignored | unknown_ticket
    ticket_id: str | None = None
    comments: int = 0
    echoes: int = 0
    status: str | None = None  # applied | conflict_ours | not_applied | unchanged
    assignee: str | None = None  # assigned | recorded


def acting(change: InboundChange, config: Mapping[str, Any]) -> Actor:
    """Who makes their change on our side: the staff member the tenant mapped their agent to (an
    agent's rights: e.g. resolving a complaint), else the sync itself (automation's rights only)."""
    staff = (config.get("agent_map") or {}).get(str(change.actor_id)) if change.actor_id else None
    return Actor(id=staff, roles=frozenset({Role.AGENT})) if staff else SYNC


class HelpdeskInbound:
    def __init__(self, settings: IntegrationSettings, links: LinkStore, apis: HelpdeskApis, tickets: TicketService,
                 conversations: ConversationStore, clock: Clock) -> None:
        self._settings, self._links, self._apis = settings, links, apis
        self._tickets, self._conversations, self._clock = tickets, conversations, clock

    def receive(self, vendor: Vendor, tenant_id: str, headers: Mapping[str, str], query: Mapping[str, str],
                body: bytes) -> InboundOutcome:
        config = self._settings.get(tenant_id, settings_name(vendor))
        if config is None:  # the same answer as a bad signature: no probing which tenants have one
            raise VerificationError("webhook.signature_invalid", provider=vendor.value)
        if vendor is Vendor.ZENDESK:
            verification.verify_zendesk(config["webhook_signing_secret"], headers, body, self._clock.now())
            change = payloads.zendesk_event(payloads.json_object(body))
        else:
            verification.verify_token(config["webhook_secret"], headers, query)
            reference = payloads.json_object(body).get("freshdesk_ticket_id")
            if not isinstance(reference, (int, str)) or not str(reference).isdigit():
                raise InvalidRequest("helpdesk.payload_invalid", field="freshdesk_ticket_id", problem="not an id")
            try:
                change = self._apis.for_tenant(vendor, config).read_changes(str(reference))
            except HelpdeskFault as fault:  # their API is down or refused us: they retry the webhook
                raise Unavailable("helpdesk.vendor_unavailable", vendor=vendor.value, reason=fault.reason) from fault
        if change is None:
            return InboundOutcome(result="ignored")
        if change.event_id and not self._links.first_seen(tenant_id, f"{INBOUND_SCOPE}:{vendor.value}",
                                                          change.event_id):
            return InboundOutcome(result="duplicate")
        try:
            return self.apply(tenant_id, change, config)
        except BaseException:
            if change.event_id:  # not applied: the vendor's retry must find it new
                self._links.forget(tenant_id, f"{INBOUND_SCOPE}:{vendor.value}", change.event_id)
            raise

    def apply(self, tenant_id: str, change: InboundChange, config: Mapping[str, Any]) -> InboundOutcome:
        link = self._links.by_external(tenant_id, change.vendor, change.external_id)
        if link is None and change.our_ticket_id:
            link = self._links.get(tenant_id, change.our_ticket_id, change.vendor)
        if link is None or link.external_id != change.external_id:
            return InboundOutcome(result="unknown_ticket")
        fresh = domain.new_comments(link, change.comments)
        echoes = sum(1 for c in change.comments if c.comment_id in link.sent_comment_ids)
        for comment in fresh:
            self._comment(tenant_id, link, comment.comment_id, comment.body, comment.author_id, comment.author_name)
        update: dict[str, Any] = {}
        if fresh:
            update["received_comment_ids"] = domain.remember(link.received_comment_ids,
                                                             [c.comment_id for c in fresh])
        status = self._status(tenant_id, link, change, config, update) if change.status is not None else None
        assignee = self._assignee(tenant_id, link, change, config) if change.assignee_id else None
        if update:
            self._save(link, update)
        logger.info("helpdesk change received", extra={"tenant_id": tenant_id, "vendor": change.vendor.value,
                                                       "comments": len(fresh), "echoes": echoes, "status": status,
                                                       "assignee": assignee})
        return InboundOutcome(result="applied", ticket_id=link.ticket_id, comments=len(fresh), echoes=echoes,
                              status=status, assignee=assignee)

    def _comment(self, tenant_id: str, link: Link, comment_id: str, body: str, author_id: str,
                 author_name: str | None) -> None:
        now = self._clock.now()
        item = ConversationItem(message_id=new_id("msg", now), ticket_id=link.ticket_id, at=iso(now),
                                channel=link.vendor.value, direction="outbound",
                                author=f"{link.vendor.value}:{author_id}",
                                body=body, external_id=comment_id,
                                data={domain.ORIGIN: link.vendor.value, "author_name": author_name})
        self._conversations.add(tenant_id, item)
        self._note(tenant_id, link.ticket_id, domain.HELPDESK_REPLIED,
                   {domain.ORIGIN: link.vendor.value, "message_id": item.message_id, "comment_id": comment_id,
                    "author_id": author_id})

    def _status(self, tenant_id: str, link: Link, change: InboundChange, config: Mapping[str, Any],
                update: dict[str, Any]) -> str:
        targets = domain.inbound_targets(change.vendor, str(change.status))
        ticket = self._tickets.get(tenant_id, link.ticket_id, SYNC)
        if not targets or ticket.status in targets or str(domain.vendor_status(change.vendor, ticket.status)) == str(
                change.status):
            return "unchanged"  # their status already says what ours means (our refunded is their solved)
        theirs = {"status": change.status, "at": iso(change.source_at)}
        ours = {"status": ticket.status.value, "at": iso(link.status_at) if link.status_at else None}
        if domain.resolve(link.status_at, change.source_at) == "ours":
            self._note(tenant_id, link.ticket_id, domain.HELPDESK_CONFLICT,
                       {domain.ORIGIN: change.vendor.value, "winner": "ours", "ours": ours, "theirs": theirs})
            return "conflict_ours"
        actor = acting(change, config)
        for target in targets:
            try:
                self._tickets.transition(tenant_id, link.ticket_id, target, actor,
                                         reason=f"helpdesk:{change.vendor.value}",
                                         data={domain.ORIGIN: change.vendor.value, "theirs": theirs,
                                               "replaced": ours})
            except (IllegalTransition, Forbidden):
                continue
            update.update({"status": target.value, "status_at": change.source_at})
            return "applied"
        self._note(tenant_id, link.ticket_id, domain.HELPDESK_STATUS_REFUSED,
                   {domain.ORIGIN: change.vendor.value, "ours": ours, "theirs": theirs})
        return "not_applied"

    def _assignee(self, tenant_id: str, link: Link, change: InboundChange, config: Mapping[str, Any]) -> str:
        staff = (config.get("agent_map") or {}).get(str(change.assignee_id))
        if staff:
            try:
                self._tickets.assign(tenant_id, link.ticket_id, staff, SYNC, reason=f"helpdesk:{change.vendor.value}")
                return "assigned"
            except (IllegalTransition, Forbidden):
                pass
        self._note(tenant_id, link.ticket_id, domain.HELPDESK_ASSIGNEE,
                   {domain.ORIGIN: change.vendor.value, "assignee_id": change.assignee_id, "mapped_to": staff})
        return "recorded"

    def _note(self, tenant_id: str, ticket_id: str, event: str, data: dict[str, Any]) -> None:
        try:
            self._tickets.note(tenant_id, ticket_id, event, SYNC, data=data)
        except IllegalTransition:  # a closed ticket takes no more entries; the conversation has it
            logger.info("helpdesk note skipped on a closed ticket", extra={"tenant_id": tenant_id, "event": event})

    def _save(self, link: Link, update: dict[str, Any]) -> None:
        for _ in range(3):
            if self._links.save(link.model_copy(update=update), link.version):
                return
            fresh = self._links.get(link.tenant_id, link.ticket_id, link.vendor)
            if fresh is None:
                return
            link = fresh
            if "received_comment_ids" in update:
                update["received_comment_ids"] = domain.remember(link.received_comment_ids,
                                                                 update["received_comment_ids"])
