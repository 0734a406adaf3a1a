"""The unmatched inbox (agents): parked intake listed newest first, filed by hand on a ticket or by
linking its sender to a customer, or dismissed. The first agent's record wins; a second agent (or
an agent acting on an item a replay already filed) gets 409 before anything changes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools import Logger

from aftersales.channels import inbox
from aftersales.channels.aggregation import Aggregation
from aftersales.channels.conversations import Conversations
from aftersales.channels.customers import CustomerLinks
from aftersales.channels.email_inbound import thread_index_key
from aftersales.channels.identity import IdentityKind, identity_from_key
from aftersales.channels.ports import IndexKeys, ParkedItems
from aftersales.channels.text_intake import REPLAYED_CHANNELS, TextIntake
from aftersales.core.clock import Clock, iso
from aftersales.core.errors import Conflict, IllegalTransition, InvalidRequest, NotFound
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role
from aftersales.tickets.service import TicketService

logger = Logger(child=True)
LINKABLE = (IdentityKind.PLATFORM_USER, IdentityKind.EMAIL, IdentityKind.PHONE)  # what a customer can own


class UnmatchedInbox:
    def __init__(self, items: ParkedItems, keys: IndexKeys, links: CustomerLinks, aggregation: Aggregation,
                 conversations: Conversations, text: TextIntake, tickets: TicketService, clock: Clock,
                 retention: timedelta = inbox.PARKED_RETENTION) -> None:
        """`retention`: how long the record of how an item left the inbox is kept (as the item was)."""
        self._items, self._keys, self._links, self._aggregation = items, keys, links, aggregation
        self._conversations, self._text, self._tickets = conversations, text, tickets
        self._clock, self._retention = clock, retention

    def page(self, tenant_id: str, *, limit: int = 50, cursor: str | None = None) -> inbox.UnmatchedPage:
        """Parked intake an agent can act on, newest first (a sparse index, never a Scan)."""
        rows, last = self._items.unmatched_page(tenant_id, before=inbox.decode_cursor(cursor), limit=limit,
                                                now_epoch=int(self._clock.now().timestamp()))
        return inbox.UnmatchedPage(items=[inbox.view(item_id, doc, expires) for item_id, doc, expires in rows],
                                   next_cursor=inbox.encode_cursor(last))

    def resolve(self, tenant_id: str, item_id: str, actor: Actor, *, customer_id: str | None = None,
                ticket_id: str | None = None) -> inbox.Settlement:
        """File a parked item by hand: on a ticket (an inbound comment), or by linking its sender to a
        customer (the replay then files it, and the sender's other parked messages, as live intake would)."""
        identity_key, doc = self._listed(tenant_id, item_id)
        if ticket_id is not None:
            return self._file_on_ticket(tenant_id, item_id, identity_key, doc, ticket_id, actor)
        if customer_id is None:
            raise InvalidRequest("inbox.resolve_needs_one_target", field="customer_id")
        return self._file_for_customer(tenant_id, item_id, identity_key, doc, customer_id, actor)

    def dismiss(self, tenant_id: str, item_id: str, actor: Actor, reason: inbox.DismissReason,
                note: str | None = None) -> inbox.Settlement:
        """Drop a parked item (spam, ...); who, when and why are kept for the retention period."""
        identity_key, doc = self._listed(tenant_id, item_id)
        settlement = self._settlement(item_id, "dismissed", actor, doc, reason=reason.value, note=note)
        self._claim(tenant_id, settlement)
        self._items.unpark(tenant_id, identity_key, doc)
        logger.info("unmatched item dismissed", extra={"tenant_id": tenant_id, "item_id": item_id,
                                                      "channel": doc.get("channel"), "reason": reason.value})
        return settlement

    def _listed(self, tenant_id: str, item_id: str) -> tuple[str, dict[str, Any]]:
        """(identity key, doc) of a listed item; 409 once it left the inbox, else 404 (also for
        another tenant's item: the tenant is part of every key)."""
        if not inbox.ITEM_ID.match(item_id):
            raise NotFound("inbox.item_not_found", item_id=item_id)
        found = self._items.unmatched_item(tenant_id, item_id)
        if found is not None and (found[2] is None or found[2] > self._clock.now().timestamp()):
            return found[0], found[1]
        settled = self._items.settled(tenant_id, item_id) if found is None else None
        if settled:
            raise Conflict("inbox.item_already_settled", item_id=item_id, action=settled.get("action"),
                           ticket_id=settled.get("ticket_id"))
        raise NotFound("inbox.item_not_found", item_id=item_id)

    def _settlement(self, item_id: str, action: str, actor: Actor, doc: dict[str, Any], **extra: Any
                    ) -> inbox.Settlement:
        return inbox.Settlement(item_id=item_id, action=action, at=iso(self._clock.now()), by=actor.id,
                                role=actor.primary_role.value, channel=doc.get("channel"), **extra)

    def _claim(self, tenant_id: str, settlement: inbox.Settlement, *, overwrite: bool = False) -> None:
        """First record wins: a second agent acting on the same item gets 409 before anything changes."""
        expires = int((self._clock.now() + self._retention).timestamp())
        if not self._items.settle(tenant_id, settlement.item_id, settlement.record(), expires, overwrite=overwrite):
            settled = self._items.settled(tenant_id, settlement.item_id) or {}
            raise Conflict("inbox.item_already_settled", item_id=settlement.item_id, action=settled.get("action"),
                           ticket_id=settled.get("ticket_id"))

    def _file_on_ticket(self, tenant_id: str, item_id: str, identity_key: str, doc: dict[str, Any],
                        ticket_id: str, actor: Actor) -> inbox.Settlement:
        try:
            ticket = self._tickets.get(tenant_id, ticket_id, actor)
        except NotFound:
            raise InvalidRequest("inbox.unknown_ticket", field="ticket_id", ticket_id=ticket_id) from None
        if ticket.is_terminal:
            raise Conflict("inbox.ticket_closed", field="ticket_id", ticket_id=ticket_id)
        settlement = self._settlement(item_id, "filed", actor, doc, ticket_id=ticket.id)
        self._claim(tenant_id, settlement)
        channel = doc.get("channel") or "unknown"
        try:  # the audit note first: it refuses a ticket that closed meanwhile before anything is written
            self._note_filed(tenant_id, ticket.id, settlement, actor)
            body, subject = ((inbox.douyin_summary(doc)[0], None) if channel == "douyin"
                             else (doc.get("body") or "", doc.get("subject")))
            self._conversations.add(tenant_id, ticket.id, channel=channel, direction="inbound",
                                    author=doc.get("author") or channel, body=body, subject=subject,
                                    external_id=doc.get("external_id"), attachments=doc.get("attachments") or None,
                                    data={"inbox_item": item_id, "filed_by": actor.id})
        except Exception:
            self._items.unsettle(tenant_id, item_id)
            raise
        if channel == "email" and doc.get("external_id"):  # replies to the parked mail thread onto the ticket
            self._keys.claim(tenant_id, thread_index_key(doc["external_id"]), ticket.id)
        self._items.unpark(tenant_id, identity_key, doc)
        logger.info("unmatched item filed", extra={"tenant_id": tenant_id, "item_id": item_id, "channel": channel,
                                                  "ticket_id": ticket.id, "by": "ticket"})
        return settlement

    def _file_for_customer(self, tenant_id: str, item_id: str, identity_key: str, doc: dict[str, Any],
                           customer_id: str, actor: Actor) -> inbox.Settlement:
        identity = identity_from_key(identity_key)
        if identity is None or identity.kind not in LINKABLE or doc.get("channel") not in REPLAYED_CHANNELS:
            raise InvalidRequest("inbox.sender_not_linkable", field="customer_id")
        if self._aggregation.open_ticket_of(tenant_id, customer_id) is None:  # nothing to file it on: change nothing
            raise Conflict("inbox.customer_without_open_ticket", field="customer_id", customer_id=customer_id)
        settlement = self._settlement(item_id, "filed", actor, doc, customer_id=customer_id)
        self._claim(tenant_id, settlement)
        try:
            self._links.link(tenant_id, customer_id, [identity])
            replayed = self._text.replay_identity(tenant_id, identity.key)
        except Exception:
            self._items.unsettle(tenant_id, item_id)
            raise
        ours = next((r.result for r in replayed if r.item["message_id"] == item_id), None)
        if ours is None or ours.ticket_id is None:  # the ticket closed meanwhile; the link stays
            self._items.unsettle(tenant_id, item_id)
            raise Conflict("inbox.customer_without_open_ticket", field="customer_id", customer_id=customer_id)
        settlement = settlement.model_copy(update={
            "ticket_id": ours.ticket_id,
            "also_filed": [r.item["message_id"] for r in replayed if r.item["message_id"] != item_id]})
        self._claim(tenant_id, settlement, overwrite=True)
        try:
            self._note_filed(tenant_id, ours.ticket_id, settlement, actor)
        except IllegalTransition:  # filed on a ticket that closed a moment later: the comment is there
            logger.warning("filed item not noted: ticket closed", extra={"item_id": item_id})
        logger.info("unmatched item filed", extra={"tenant_id": tenant_id, "item_id": item_id,
                                                  "channel": doc.get("channel"), "ticket_id": ours.ticket_id,
                                                  "by": "customer", "also_filed": len(settlement.also_filed)})
        return settlement

    def _note_filed(self, tenant_id: str, ticket_id: str, settlement: inbox.Settlement, actor: Actor) -> None:
        """The ticket's audit chain says who filed which inbox item on it (note() is for automation,
        so the entry's actor is the inbox; the agent is in its data, the request id links the call)."""
        self._tickets.note(tenant_id, ticket_id, inbox.FILED_EVENT,
                           Actor(id="system:inbox", roles=frozenset({Role.SYSTEM}), request_id=actor.request_id),
                           reason="filed_from_unmatched_inbox",
                           data={k: v for k, v in {"item_id": settlement.item_id, "channel": settlement.channel,
                                                   "by": actor.id, "role": settlement.role,
                                                   "linked_customer_id": settlement.customer_id}.items() if v})
