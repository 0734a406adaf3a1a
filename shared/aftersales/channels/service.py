"""Channel intake use cases: WeCom, Douyin shop pushes and inbound e-mail become tickets or
conversation items; one customer identity across channels; same order + issue -> one ticket.

Nothing here logs message bodies, e-mail addresses or phone numbers.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from pydantic import Field, TypeAdapter

from aftersales.channels import douyin, email_inbound, inbox, wecom, wecom_kf
from aftersales.channels.identity import (
    Identity,
    IdentityKind,
    IssueCategory,
    aggregation_key,
    email_identity,
    order_identity,
    platform_user_identity,
)
from aftersales.channels.intake import classify, ticket_type
from aftersales.channels.ports import (
    AttachmentStore,
    ConversationItem,
    ConversationStore,
    DouyinIntakeQueue,
    IntakeStore,
    IntegrationSettings,
    KfMessages,
    KfSyncRequests,
)
from aftersales.channels.replay import ReplayWindow
from aftersales.core.clock import Clock, iso
from aftersales.core.contacts import valid_email, valid_platform_user
from aftersales.core.errors import Conflict, DomainError, IllegalTransition, InvalidRequest, NotFound
from aftersales.core.ids import new_id
from aftersales.core.model import DomainModel
from aftersales.logistics.verification import VerificationError
from aftersales.tickets.domain import CUSTOMER_REPLIED, Actor, LineRequest, OpenTicket
from aftersales.tickets.model import LINE_TYPES, Channel, Role, Status, TicketType
from aftersales.tickets.paths import route
from aftersales.tickets.service import TicketService
from aftersales.tickets.warrants import PlatformDecision

logger = Logger(child=True)
MENTION = "mention:order:"  # inbox of pointers: parked messages that named an order we did not know
_DOUYIN_COMMAND: TypeAdapter[douyin.IntakeCommand] = TypeAdapter(
    Annotated[douyin.IntakeCommand, Field(discriminator="command")])
SYSTEM = Actor(id="system:channels", roles=frozenset({Role.SYSTEM}))
LINKABLE = (IdentityKind.PLATFORM_USER, IdentityKind.EMAIL, IdentityKind.PHONE)  # what a customer can own
KF_MAX_PAGES = 20  # kf/sync_msg pages read per sync request (1000 messages each); the next event goes on

_STAGE_TARGETS: dict[douyin.Stage, Status] = {
    douyin.Stage.APPROVED: Status.APPROVED,
    douyin.Stage.RETURN_APPROVED: Status.AWAITING_RETURN,
    douyin.Stage.RETURN_IN_TRANSIT: Status.RETURN_IN_TRANSIT,
    douyin.Stage.REJECTED: Status.REJECTED,
    douyin.Stage.RETURN_REJECTED: Status.REJECTED,
    douyin.Stage.REFUNDED: Status.REFUNDED,
    douyin.Stage.CLOSED: Status.CLOSED,
    douyin.Stage.EXCHANGE_CONFIRMED: Status.RESHIPPED,
}
_DOUYIN_KINDS = {
    douyin.AfterSaleKind.RETURN_AND_REFUND: IssueCategory.RETURN_REFUND,
    douyin.AfterSaleKind.REFUND_ONLY_SHIPPED: IssueCategory.REFUND_ONLY,
    douyin.AfterSaleKind.REFUND_ONLY_UNSHIPPED: IssueCategory.REFUND_ONLY,
    douyin.AfterSaleKind.EXCHANGE: IssueCategory.EXCHANGE,
    douyin.AfterSaleKind.OTHER: IssueCategory.OTHER,
}


class IntakeResult(DomainModel):
    source: str
    external_id: str | None
    outcome: str  # created | joined | commented | transitioned | duplicate | parked | ignored | queued | synced (kf)
    ticket_id: str | None = None
    detail: str | None = None


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:32]


def _mail_contact(address: str | None) -> tuple[str, str] | None:
    """The sender of an inbound mail as the customer's e-mail contact, only when it is an address
    we can write back to: a From that cannot be one is still taken in, but never stored to send to."""
    try:
        return ("email", valid_email(address, "from")) if address else None
    except InvalidRequest:
        return None


class IntakeService:
    def __init__(self, store: IntakeStore, conversations: ConversationStore, settings: IntegrationSettings,
                 tickets: TicketService, clock: Clock, attachments: AttachmentStore | None = None,
                 platform_refunded: Callable[[str, str, str], Any] | None = None,
                 parked_retention: timedelta = inbox.PARKED_RETENTION, kf: KfMessages | None = None,
                 kf_requests: KfSyncRequests | None = None, douyin_queue: DouyinIntakeQueue | None = None
                 ) -> None:
        """`platform_refunded(tenant, ticket, platform)` settles the refund grant the platform paid
        (RefundService.settle_by_platform); None when no grant of ours waits for it.
        `parked_retention`: how long unmatched intake (and the record of how it left) is kept.
        `kf`: reads 微信客服 messages (kf/sync_msg) when WeCom says a kf account has news;
        `kf_requests`: where the callback leaves that news for the sync worker (`sync_kf`);
        `douyin_queue`: where the Douyin push leaves its messages for the intake worker (`douyin_intake`)."""
        self._store, self._conversations, self._settings = store, conversations, settings
        self._tickets, self._clock, self._attachments = tickets, clock, attachments
        self._platform_refunded = platform_refunded
        self._retention = parked_retention
        self._kf, self._kf_requests = kf, kf_requests
        self._wecom_replays = ReplayWindow(store, clock, "wecom")
        self._douyin_queue = douyin_queue

    # ------------------------------------------------------------------ shared: identity, aggregation, comments
    def customer_for(self, tenant_id: str, identities: list[Identity]) -> str | None:
        for identity in identities:
            customer = self._store.customer_of(tenant_id, identity.key)
            if customer:
                return customer
        return None

    def link(self, tenant_id: str, customer_id: str, identities: list[Identity], *, replay: bool = True
             ) -> list[IntakeResult]:
        """Link identities to the customer; messages parked for an identity that was not linked
        before are replayed now (they may join the customer's open ticket or the order they named)."""
        fresh = [i for i in identities if replay and i.kind is not IdentityKind.ORDER
                 and self._store.customer_of(tenant_id, i.key) != customer_id]
        self._store.link(tenant_id, customer_id, [i.key for i in identities])
        results: list[IntakeResult] = []
        for identity in fresh:
            results += self.replay_identity(tenant_id, identity.key)
        return results

    def comment(self, tenant_id: str, ticket_id: str, *, channel: str, direction: str, author: str, body: str,
                external_id: str | None = None, subject: str | None = None,
                attachments: list[dict[str, Any]] | None = None, data: dict[str, Any] | None = None
                ) -> ConversationItem:
        now = self._clock.now()
        item = ConversationItem(message_id=new_id("msg", now), ticket_id=ticket_id, at=iso(now), channel=channel,
                                direction=direction, author=author, body=body, subject=subject,
                                external_id=external_id, attachments=attachments or [], data=data or {})
        self._conversations.add(tenant_id, item)
        return item

    def _customer_wrote(self, tenant_id: str, ticket_id: str, **message: Any) -> ConversationItem:
        """An inbound message on a ticket that already exists: on its conversation, and as a
        `ticket.customer_replied` audit entry so the next-response clock starts."""
        item = self.comment(tenant_id, ticket_id, direction="inbound", **message)
        with contextlib.suppress(IllegalTransition):  # closed meanwhile: no clock to start
            self._tickets.message(tenant_id, ticket_id, CUSTOMER_REPLIED, SYSTEM,
                                  data={"message_id": item.message_id, "channel": item.channel})
        return item

    def conversation(self, tenant_id: str, ticket_id: str, actor: Actor) -> list[ConversationItem]:
        self._tickets.get(tenant_id, ticket_id, actor)  # visibility rules of the ticket
        return self._conversations.list(tenant_id, ticket_id)

    def open_or_join(self, tenant_id: str, *, order_id: str, category: IssueCategory, ticket_type: TicketType,
                     channel: str, reason_code: str, description: str | None, author: str, body: str,
                     external_id: str | None, data: dict[str, Any], locale: str | None = None,
                     line_ids: list[str] | None = None, subject: str | None = None,
                     attachments: list[dict[str, Any]] | None = None) -> tuple[str, bool]:
        """Same tenant + order + issue -> one ticket. The key is claimed with a conditional put
        after opening; the loser of a race cancels its own fresh ticket and joins the winner."""
        key = "AGG#" + aggregation_key(tenant_id, order_id, category)
        existing = self._store.lookup(tenant_id, key)
        if existing and self._open(tenant_id, existing):
            self._customer_wrote(tenant_id, existing, channel=channel, author=author, body=body,
                         external_id=external_id, subject=subject, attachments=attachments, data=data)
            return existing, False
        if existing:
            self._store.release(tenant_id, key, existing)
        ticket = self._tickets.open(tenant_id, self._request(tenant_id, order_id, ticket_type, channel, reason_code,
                                                             description, locale, line_ids), SYSTEM)
        winner = self._store.claim(tenant_id, key, ticket.id)
        if winner and winner != ticket.id:
            self._tickets.transition(tenant_id, ticket.id, Status.CANCELLED, SYSTEM, reason="merged_duplicate",
                                     data={"merged_into": winner})
            self._customer_wrote(tenant_id, winner, channel=channel, author=author, body=body,
                         external_id=external_id, subject=subject, attachments=attachments, data=data)
            return winner, False
        self.comment(tenant_id, ticket.id, channel=channel, direction="inbound", author=author, body=body,
                     external_id=external_id, subject=subject, attachments=attachments, data=data)
        return ticket.id, True

    def _open(self, tenant_id: str, ticket_id: str) -> bool:
        try:
            return not self._tickets.get(tenant_id, ticket_id, SYSTEM).is_terminal
        except NotFound:
            return False

    def _request(self, tenant_id: str, order_id: str, wanted: TicketType, channel: str, reason_code: str,
                 description: str | None, locale: str | None, line_ids: list[str] | None) -> OpenTicket:
        stored = self._tickets.get_order(tenant_id, order_id, SYSTEM)
        lines: list[LineRequest] = []
        if wanted in LINE_TYPES:
            for line in stored.lines:
                if line_ids and line.line_id not in line_ids:
                    continue
                lines.append(LineRequest(line_id=line.line_id, quantity=line.quantity))
        contacts = self._store.contacts(tenant_id, stored.customer.id)
        loc = locale or next((c.get("locale") for c in contacts.values() if c.get("locale")), None) or "en"
        return OpenTicket(type=wanted, order_id=order_id, channel=Channel(channel), reason_code=reason_code,
                          description=description, lines=lines, locale=loc)

    def _open_ticket_of(self, tenant_id: str, customer_id: str) -> str | None:
        page = self._tickets.list(tenant_id, SYSTEM, customer_id=customer_id, limit=20)
        return next((t.id for t in page.items if not t.is_terminal), None)

    def _known_order(self, tenant_id: str, order_id: str) -> str | None:
        try:
            return self._tickets.get_order(tenant_id, order_id, SYSTEM).customer.id
        except NotFound:
            return None

    def _text_intake(self, tenant_id: str, *, channel: str, identities: list[Identity], author: str, body: str,
                     subject: str | None, external_id: str, order_numbers: tuple[str, ...],
                     ticket_numbers: tuple[str, ...] = (), attachments: list[dict[str, Any]] | None = None,
                     contact: tuple[str, str] | None = None, contact_details: Mapping[str, str] | None = None,
                     replaying: bool = False) -> IntakeResult:
        """A free-text message: comment on a named / open ticket, else open (or join) one for the
        order it names, else park it until the customer can be matched. When this message linked a
        sender we could not match before, the sender's parked messages are replayed after it.
        `contact` (channel, address) becomes the customer's contact once the customer is known,
        with `contact_details` kept beside the address (a parked message keeps them for its replay)."""
        unlinked = [] if replaying else [i for i in identities if not self._store.customer_of(tenant_id, i.key)]
        result = self._text_intake_once(
            tenant_id, channel=channel, identities=identities, author=author, body=body, subject=subject,
            external_id=external_id, order_numbers=order_numbers, ticket_numbers=ticket_numbers,
            attachments=attachments, contact=contact, contact_details=contact_details, replaying=replaying)
        if result.outcome != "parked":
            for identity in unlinked:
                self.replay_identity(tenant_id, identity.key)
        return result

    def _text_intake_once(self, tenant_id: str, *, channel: str, identities: list[Identity], author: str,
                          body: str, subject: str | None, external_id: str, order_numbers: tuple[str, ...],
                          ticket_numbers: tuple[str, ...], attachments: list[dict[str, Any]] | None,
                          contact: tuple[str, str] | None, contact_details: Mapping[str, str] | None,
                          replaying: bool) -> IntakeResult:
        customer = self.customer_for(tenant_id, identities)
        order_id, order_customer = None, None
        for number in order_numbers:
            order_customer = self._known_order(tenant_id, number)
            if order_customer and (customer is None or customer == order_customer):
                order_id, customer = number, order_customer
                break
        if customer:
            links = list(identities) + ([order_identity(tenant_id, order_id)] if order_id else [])
            self.link(tenant_id, customer, links, replay=False)
            if contact:
                self._store.put_contact(tenant_id, customer, contact[0], contact[1], None, contact_details)
        for number in ticket_numbers:
            try:
                ticket = self._tickets.get(tenant_id, number, SYSTEM)
            except NotFound:
                continue
            if ticket.customer_id == customer and not ticket.is_terminal:
                self._customer_wrote(tenant_id, ticket.id, channel=channel, author=author, body=body,
                             external_id=external_id, subject=subject, attachments=attachments)
                return IntakeResult(source=channel, external_id=external_id, outcome="commented", ticket_id=ticket.id)
        if order_id:
            category = classify(subject, body)
            ticket_id, created = self.open_or_join(
                tenant_id, order_id=order_id, category=category, ticket_type=ticket_type(category),
                channel=channel, reason_code=f"{channel}_{category.value}", description=None, author=author,
                body=body, external_id=external_id, data={}, subject=subject, attachments=attachments)
            return IntakeResult(source=channel, external_id=external_id, ticket_id=ticket_id,
                                outcome="created" if created else "joined")
        if customer:
            open_ticket = self._open_ticket_of(tenant_id, customer)
            if open_ticket:
                self._customer_wrote(tenant_id, open_ticket, channel=channel, author=author, body=body,
                             external_id=external_id, subject=subject, attachments=attachments)
                return IntakeResult(source=channel, external_id=external_id, outcome="commented",
                                    ticket_id=open_ticket)
        if not replaying:
            doc = {"message_id": new_id("msg", self._clock.now()), "at": iso(self._clock.now()), "channel": channel,
                   "author": author, "subject": subject, "body": body, "external_id": external_id,
                   "attachments": attachments or []}
            if contact_details:  # e.g. the 微信客服 account: replies to this sender go back through it
                doc["contact_details"] = dict(contact_details)
            self._park_text(tenant_id, identities[0].key if identities else f"{channel}:unknown", doc, order_numbers)
        return IntakeResult(source=channel, external_id=external_id, outcome="parked")

    # ------------------------------------------------------------------ parked intake: kept, then matched
    def _park_text(self, tenant_id: str, identity_key: str, doc: dict[str, Any], order_numbers: tuple[str, ...]
                   ) -> None:
        """Park under the sender's identity; an order number the message named (but we do not know
        yet) gets a pointer, so the order's arrival replays the sender's inbox. Both expire together."""
        expires = inbox.expires_epoch(doc["at"], self._retention)
        self._store.park(tenant_id, identity_key, doc, expires_at=expires, listed=True)
        for number in order_numbers:
            self._store.park(tenant_id, f"{MENTION}{number}", {"message_id": doc["message_id"], "at": doc["at"],
                                                              "identity_key": identity_key}, expires_at=expires)

    def replay_identity(self, tenant_id: str, identity_key: str) -> list[IntakeResult]:
        """Re-run the parked WeCom / e-mail messages of one sender (oldest first); each one that now
        lands on a ticket leaves the inbox, the others stay parked."""
        return [result for _doc, result in self._replay_identity(tenant_id, identity_key)]

    def _replay_identity(self, tenant_id: str, identity_key: str) -> list[tuple[dict[str, Any], IntakeResult]]:
        identity = _identity_of(identity_key)
        results: list[tuple[dict[str, Any], IntakeResult]] = []
        for doc in self._store.parked(tenant_id, identity_key):
            channel = doc.get("channel")
            if channel not in ("wecom", "email") or identity is None:
                continue
            refs = email_inbound.extract_references(email_inbound.InboundEmail(
                message_id=None, in_reply_to=None, references=(), from_address=None,
                subject=doc.get("subject") or "", text=doc.get("body") or ""))
            details = doc.get("contact_details") if identity.kind is IdentityKind.PLATFORM_USER else None
            result = self._text_intake(
                tenant_id, channel=channel, identities=[identity], author=doc["author"], body=doc.get("body") or "",
                subject=doc.get("subject"), external_id=doc.get("external_id") or doc["message_id"],
                order_numbers=refs.order_numbers, ticket_numbers=refs.ticket_numbers,
                attachments=doc.get("attachments") or None, replaying=True,
                contact=(channel, identity.value) if details else None, contact_details=details)
            if result.outcome == "parked":
                continue
            if channel == "email" and result.ticket_id and doc.get("external_id"):
                self._store.claim(tenant_id, f"MAIL#{doc['external_id']}", result.ticket_id)
            self._store.unpark(tenant_id, identity_key, doc)
            self._settle_matched(tenant_id, doc, result.ticket_id)
            logger.info("parked message matched", extra={"channel": channel, "outcome": result.outcome})
            results.append((doc, result.model_copy(update={"detail": "replayed"})))
        return results

    def order_arrived(self, tenant_id: str, order_id: str) -> list[IntakeResult]:
        """An order we did not know was pushed: replay the Douyin events parked for it, and the
        inboxes of senders whose parked messages named it."""
        results = self._replay_douyin(tenant_id, order_id)
        for pointer in self._store.parked(tenant_id, f"{MENTION}{order_id}"):
            results += self.replay_identity(tenant_id, pointer["identity_key"])
            self._store.unpark(tenant_id, f"{MENTION}{order_id}", pointer)
        return results

    def _replay_douyin(self, tenant_id: str, order_id: str | None) -> list[IntakeResult]:
        """Re-run the Douyin commands parked for an order, oldest first (the create, then the stage
        changes that arrived before it). Each one that is no longer parked leaves the inbox."""
        if not order_id:
            return []
        key = f"douyin:order:{order_id}"
        results: list[IntakeResult] = []
        for doc in self._store.parked(tenant_id, key):
            command = _DOUYIN_COMMAND.validate_json(doc["body"])
            try:
                result = self._douyin_command(tenant_id, command, replaying=True)
            except InvalidRequest:  # still does not fit the order (see douyin_intake): it waits for an agent
                continue
            if result.outcome == "parked":
                continue
            self._store.unpark(tenant_id, key, doc)
            self._settle_matched(tenant_id, doc, result.ticket_id)
            logger.info("parked douyin event matched", extra={"tag": command.tag, "outcome": result.outcome})
            results.append(result.model_copy(update={"detail": "replayed"}))
        return results

    def _settle_matched(self, tenant_id: str, doc: dict[str, Any], ticket_id: str | None) -> None:
        """A replay filed a parked item: an agent who still has it on screen gets 409, not 404. When an
        agent's resolution caused the replay, the agent's record is already there and stays."""
        now = self._clock.now()
        try:
            self._store.settle(tenant_id, doc["message_id"], inbox.Settlement(
                item_id=doc["message_id"], action="matched", at=iso(now), by=SYSTEM.id, ticket_id=ticket_id,
                channel=doc.get("channel")).record(), int((now + self._retention).timestamp()))
        except Exception:  # only a nicer answer for agents: never fail (and redeliver) filed intake for it
            logger.warning("matched item not recorded", extra={"tenant_id": tenant_id, "item_id": doc["message_id"]})

    # ------------------------------------------------------------------ unmatched inbox (agents)
    def unmatched(self, tenant_id: str, *, limit: int = 50, cursor: str | None = None) -> inbox.UnmatchedPage:
        """Parked intake an agent can act on, newest first (a sparse index, never a Scan)."""
        rows, last = self._store.unmatched_page(tenant_id, before=inbox.decode_cursor(cursor), limit=limit,
                                                now_epoch=int(self._clock.now().timestamp()))
        return inbox.UnmatchedPage(items=[inbox.view(item_id, doc, expires) for item_id, doc, expires in rows],
                                   next_cursor=inbox.encode_cursor(last))

    def resolve_unmatched(self, tenant_id: str, item_id: str, actor: Actor, *, customer_id: str | None = None,
                          ticket_id: str | None = None) -> inbox.Settlement:
        """File a parked item by hand: on a ticket (an inbound comment), or by linking its sender to a
        customer (the replay then files it, and the sender's other parked messages, as live intake would)."""
        identity_key, doc = self._listed(tenant_id, item_id)
        if ticket_id is not None:
            return self._file_on_ticket(tenant_id, item_id, identity_key, doc, ticket_id, actor)
        if customer_id is None:
            raise InvalidRequest("inbox.resolve_needs_one_target", field="customer_id")
        return self._file_for_customer(tenant_id, item_id, identity_key, doc, customer_id, actor)

    def dismiss_unmatched(self, tenant_id: str, item_id: str, actor: Actor, reason: inbox.DismissReason,
                          note: str | None = None) -> inbox.Settlement:
        """Drop a parked item (spam, ...); who, when and why are kept for the retention period."""
        identity_key, doc = self._listed(tenant_id, item_id)
        settlement = self._settlement(item_id, "dismissed", actor, doc, reason=reason.value, note=note)
        self._claim(tenant_id, settlement)
        self._store.unpark(tenant_id, identity_key, doc)
        logger.info("unmatched item dismissed", extra={"tenant_id": tenant_id, "item_id": item_id,
                                                      "channel": doc.get("channel"), "reason": reason.value})
        return settlement

    def _listed(self, tenant_id: str, item_id: str) -> tuple[str, dict[str, Any]]:
        """(identity key, doc) of a listed item; 409 once it left the inbox, else 404 (also for
        another tenant's item: the tenant is part of every key)."""
        if not inbox.ITEM_ID.match(item_id):
            raise NotFound("inbox.item_not_found", item_id=item_id)
        found = self._store.unmatched_item(tenant_id, item_id)
        if found is not None and (found[2] is None or found[2] > self._clock.now().timestamp()):
            return found[0], found[1]
        settled = self._store.settled(tenant_id, item_id) if found is None else None
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
        if not self._store.settle(tenant_id, settlement.item_id, settlement.record(), expires, overwrite=overwrite):
            settled = self._store.settled(tenant_id, settlement.item_id) or {}
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
            self.comment(tenant_id, ticket.id, channel=channel, direction="inbound",
                         author=doc.get("author") or channel, body=body, subject=subject,
                         external_id=doc.get("external_id"), attachments=doc.get("attachments") or None,
                         data={"inbox_item": item_id, "filed_by": actor.id})
        except Exception:
            self._store.unsettle(tenant_id, item_id)
            raise
        if channel == "email" and doc.get("external_id"):  # replies to the parked mail thread onto the ticket
            self._store.claim(tenant_id, f"MAIL#{doc['external_id']}", ticket.id)
        self._store.unpark(tenant_id, identity_key, doc)
        logger.info("unmatched item filed", extra={"tenant_id": tenant_id, "item_id": item_id, "channel": channel,
                                                  "ticket_id": ticket.id, "by": "ticket"})
        return settlement

    def _file_for_customer(self, tenant_id: str, item_id: str, identity_key: str, doc: dict[str, Any],
                           customer_id: str, actor: Actor) -> inbox.Settlement:
        identity = _identity_of(identity_key)
        if identity is None or identity.kind not in LINKABLE or doc.get("channel") not in ("wecom", "email"):
            raise InvalidRequest("inbox.sender_not_linkable", field="customer_id")
        if self._open_ticket_of(tenant_id, customer_id) is None:  # nothing to file it on: change nothing
            raise Conflict("inbox.customer_without_open_ticket", field="customer_id", customer_id=customer_id)
        settlement = self._settlement(item_id, "filed", actor, doc, customer_id=customer_id)
        self._claim(tenant_id, settlement)
        try:
            self._store.link(tenant_id, customer_id, [identity.key])
            replayed = self._replay_identity(tenant_id, identity.key)
        except Exception:
            self._store.unsettle(tenant_id, item_id)
            raise
        ours = next((r for d, r in replayed if d["message_id"] == item_id), None)
        if ours is None or ours.ticket_id is None:  # the ticket closed meanwhile; the link stays
            self._store.unsettle(tenant_id, item_id)
            raise Conflict("inbox.customer_without_open_ticket", field="customer_id", customer_id=customer_id)
        settlement = settlement.model_copy(update={
            "ticket_id": ours.ticket_id,
            "also_filed": [d["message_id"] for d, _r in replayed if d["message_id"] != item_id]})
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

    # ------------------------------------------------------------------ WeCom
    def _wecom(self, tenant_id: str) -> wecom.WeComCrypto:
        config = self._settings.get(tenant_id, "channel:wecom")
        if not config:
            raise VerificationError("webhook.signature_invalid", provider="wecom")
        return wecom.WeComCrypto(config["token"], config["encoding_aes_key"], config["corp_id"])

    def wecom_verify_url(self, tenant_id: str, query: Mapping[str, str]) -> str:
        return self._wecom(tenant_id).verify_url(query.get("msg_signature", ""), query.get("timestamp", ""),
                                                 query.get("nonce", ""), query.get("echostr", ""))

    def wecom_message(self, tenant_id: str, query: Mapping[str, str], body: bytes) -> IntakeResult:
        """Signature, then the replay window (signed timestamp within 5 minutes, nonce once), then
        the message; a failed callback releases its nonce so WeCom's retry is taken."""
        xml_text = self._wecom(tenant_id).decrypt_message(query.get("msg_signature", ""), query.get("timestamp", ""),
                                                          query.get("nonce", ""), body)
        claim = self._wecom_replays.admit(tenant_id, query.get("timestamp", ""), query.get("nonce", ""))
        try:
            return self._wecom_message(tenant_id, xml_text)
        except Exception:
            self._wecom_replays.release(tenant_id, claim)
            raise

    def _wecom_message(self, tenant_id: str, xml_text: str) -> IntakeResult:
        message = wecom.parse_message(xml_text)
        external_id = message.msg_id or _digest(xml_text)
        if not self._store.first_seen(tenant_id, "wecom", external_id):
            return IntakeResult(source="wecom", external_id=external_id, outcome="duplicate")
        if message.msg_type == "event" and message.event == wecom.KF_EVENT:
            try:
                return self._request_kf_sync(tenant_id, message, external_id)
            except Exception:
                self._store.forget(tenant_id, "wecom", external_id)  # WeCom's retry enqueues again
                raise
        if message.msg_type != "text" or not message.sender:
            return IntakeResult(source="wecom", external_id=external_id, outcome="ignored", detail=message.msg_type)
        text = message.content or ""
        refs = email_inbound.extract_references(email_inbound.InboundEmail(
            message_id=None, in_reply_to=None, references=(), from_address=None, subject="", text=text))
        identity = platform_user_identity("wecom", message.sender)
        try:
            return self._text_intake(tenant_id, channel="wecom", identities=[identity],
                                     author=f"wecom:{_digest(message.sender)}",
                                     body=text, subject=None, external_id=external_id,
                                     order_numbers=refs.order_numbers, ticket_numbers=refs.ticket_numbers,
                                     contact=("wecom", message.sender))
        except Exception:
            self._store.forget(tenant_id, "wecom", external_id)  # let WeCom's retry try again
            raise

    def _kf_reader(self, tenant_id: str) -> KfMessages | None:
        """The kf/sync_msg reader when this tenant's 微信客服 is configured (a kf secret), else None."""
        config = self._settings.get(tenant_id, "channel:wecom") or {}
        return self._kf if config.get("kf_secret") else None

    def _request_kf_sync(self, tenant_id: str, event: wecom.WeComMessage, external_id: str) -> IntakeResult:
        """微信客服: the event only says that a kf account has news. WeCom wants the callback answered
        within 5 s and the messages pulled asynchronously: leave (tenant, kf account, Token, event id)
        on the sync queue; `sync_kf` (functions/wecom_kf_sync) reads the messages."""
        base = {"source": "wecom", "external_id": external_id}
        if self._kf_requests is None or self._kf_reader(tenant_id) is None or not event.open_kfid:
            reason = "no_open_kfid" if not event.open_kfid else "kf_not_configured"
            logger.warning("wecom kf event ignored", extra={"reason": reason})
            return IntakeResult(**base, outcome="ignored", detail=reason)
        self._kf_requests.request(tenant_id, event.open_kfid, event.token, external_id)
        return IntakeResult(**base, outcome="queued")

    def sync_kf(self, tenant_id: str, open_kfid: str, token: str | None, *, event_id: str | None = None
                ) -> IntakeResult:
        """Read a kf account's messages from the stored cursor, page by page while WeCom has more, and
        move the cursor after each page whose items were all handled; each customer text is intake like
        an application message, once (msgid). A failure raises: the queue delivers the request again
        (then DLQ), and the cursor and the msgid markers make that safe."""
        base = {"source": "wecom", "external_id": event_id}
        kf = self._kf_reader(tenant_id)
        if kf is None:  # the kf secret was removed after the event was queued
            logger.warning("wecom kf sync ignored", extra={"reason": "kf_not_configured"})
            return IntakeResult(**base, outcome="ignored", detail="kf_not_configured")
        cursor = self._store.kf_cursor(tenant_id, open_kfid)
        counts = {"pages": 0, "filed": 0, "parked": 0, "duplicate": 0, "ignored": 0}
        while True:
            try:
                page = kf.sync_msg(tenant_id, open_kfid=open_kfid, cursor=cursor, token=token,
                                   limit=wecom_kf.SYNC_LIMIT)
            except DomainError as exc:
                logger.error("wecom kf sync failed", extra={"code": exc.code, "errcode": exc.details.get("errcode"),
                                                            "pages": counts["pages"]})
                raise
            counts["pages"] += 1
            for item in page.messages:
                counts[self._wecom_kf_item(tenant_id, open_kfid, item)] += 1
            moved = bool(page.next_cursor) and page.next_cursor != cursor
            if moved:
                cursor = page.next_cursor
                self._store.save_kf_cursor(tenant_id, open_kfid, cursor)
            if not page.has_more:
                break
            if not moved or counts["pages"] >= KF_MAX_PAGES:  # a stuck cursor, or enough for one request:
                logger.warning("wecom kf sync stopped early", extra={"pages": counts["pages"], "moved": moved})
                break  # the next event goes on from the stored cursor
        logger.info("wecom kf synced", extra=counts)
        return IntakeResult(**base, outcome="synced", detail=" ".join(f"{k}={v}" for k, v in counts.items()))

    def _wecom_kf_item(self, tenant_id: str, open_kfid: str, item: wecom_kf.KfMessage) -> str:
        if not (item.customer_text and item.msgid and item.external_userid):
            return "ignored"  # servicer messages, events (enter_session, recalls, ...), non-text
        if not self._store.first_seen(tenant_id, "wecom_kf", item.msgid):
            return "duplicate"
        text = item.text or ""
        refs = email_inbound.extract_references(email_inbound.InboundEmail(
            message_id=None, in_reply_to=None, references=(), from_address=None, subject="", text=text))
        try:
            result = self._text_intake(
                tenant_id, channel="wecom", identities=[platform_user_identity("wecom", item.external_userid)],
                author=f"wecom:{_digest(item.external_userid)}", body=text, subject=None, external_id=item.msgid,
                order_numbers=refs.order_numbers, ticket_numbers=refs.ticket_numbers,
                contact=("wecom", item.external_userid),
                contact_details={"open_kfid": item.open_kfid or open_kfid})
        except Exception:
            self._store.forget(tenant_id, "wecom_kf", item.msgid)  # the page is read again
            raise
        return "parked" if result.outcome == "parked" else "filed"

    # ------------------------------------------------------------------ Douyin
    def douyin_push(self, tenant_id: str, headers: Mapping[str, str], body: bytes) -> list[IntakeResult]:
        """Verify and read the push, keep its body, queue its messages per after-sale and answer:
        Douyin pushes again what is not answered fast, so nothing is filed here (`douyin_intake`
        does, from the queue). A push whose bytes were kept before is a duplicate, queued once."""
        config = self._settings.get(tenant_id, "channel:douyin")
        if not config:
            raise VerificationError("webhook.signature_invalid", provider="douyin")
        douyin.verify_push(headers, body, config["app_key"], config["app_secret"])
        commands = douyin.to_commands(douyin.parse_push(body))
        push_id = douyin.push_id(body)
        if not self._store.keep_body(tenant_id, "douyin", push_id, body):
            return [IntakeResult(source="douyin", external_id=c.idempotency_key, outcome="duplicate") for c in commands]
        groups: dict[str, list[str]] = {}
        for command in commands:
            groups.setdefault(douyin.group_of(command), []).append(command.idempotency_key)
        if self._douyin_queue is None or self._douyin_queue.enqueue(tenant_id, push_id, list(groups.values())):
            # not (all) queued: forget the body, so Douyin's re-push queues the messages again
            self._store.forget_body(tenant_id, "douyin", push_id)
            raise DomainError("error.event_publish_failed", detail_type="douyin.intake")
        return [IntakeResult(source="douyin", external_id=c.idempotency_key, outcome="queued") for c in commands]

    def douyin_intake(self, tenant_id: str, push_id: str, msg_ids: list[str]) -> list[IntakeResult]:
        """File queued Douyin messages (one after-sale's, in push order) from the kept push body,
        each once (msg_id). A message our rules refuse (InvalidRequest) is parked for an agent; any
        other failure raises after forgetting that message: the queue retries it, then the DLQ."""
        body = self._store.kept_body(tenant_id, "douyin", push_id)
        if body is None:  # kept 30 days; a queue message older than that has nothing left to file
            logger.warning("douyin push body expired", extra={"messages": len(msg_ids)})
            return [IntakeResult(source="douyin", external_id=i, outcome="ignored", detail="expired") for i in msg_ids]
        commands = {c.idempotency_key: c for c in douyin.to_commands(douyin.parse_push(body))}
        results: list[IntakeResult] = []
        for msg_id in msg_ids:
            command = commands.get(msg_id)
            if command is None or not self._store.first_seen(tenant_id, "douyin", msg_id):
                results.append(IntakeResult(source="douyin", external_id=msg_id, outcome="duplicate"))
                continue
            try:
                results.append(self._douyin_command(tenant_id, command))
            except InvalidRequest as exc:
                # the platform's data does not fit the order (e.g. a line it does not have): retrying
                # changes nothing, so it goes to the unmatched inbox for an agent instead of the DLQ
                self._park_douyin(tenant_id, command)
                logger.warning("douyin message refused, parked", extra={"tag": command.tag, "reason": exc.message_id})
                results.append(IntakeResult(source="douyin", external_id=msg_id, outcome="parked",
                                            detail=exc.message_id))
            except Exception:
                self._store.forget(tenant_id, "douyin", msg_id)
                raise
        return results

    def _douyin_command(self, tenant_id: str, command: douyin.IntakeCommand, replaying: bool = False
                        ) -> IntakeResult:
        base = {"source": "douyin", "external_id": command.idempotency_key}
        mapped = self._store.lookup(tenant_id, f"DYAS#{command.aftersale_id}") if command.aftersale_id else None
        if isinstance(command, douyin.CreateTicket):
            if mapped:
                return IntakeResult(**base, outcome="duplicate", ticket_id=mapped)
            if not command.order_id or not self._known_order(tenant_id, command.order_id):
                if not replaying:
                    self._park_douyin(tenant_id, command)
                return IntakeResult(**base, outcome="parked", detail="unknown order")
            category = _DOUYIN_KINDS[command.kind]
            ticket_id, created = self.open_or_join(
                tenant_id, order_id=command.order_id, category=category, ticket_type=ticket_type(category),
                channel="douyin", reason_code=f"douyin_{command.reason_code}" if command.reason_code else "douyin",
                description=None, author="douyin:platform", body=f"Douyin after-sale {command.aftersale_id} opened",
                external_id=command.idempotency_key, data={"aftersale_id": command.aftersale_id, "tag": command.tag},
                line_ids=[command.sub_order_id] if command.sub_order_id else None)
            if command.aftersale_id:
                self._store.claim(tenant_id, f"DYAS#{command.aftersale_id}", ticket_id)
                # the way back: decisions taken here are written to this after-sale (DouyinWriteback)
                self._store.put_external_ref(tenant_id, ticket_id, "douyin", {
                    "aftersale_id": command.aftersale_id, "kind": command.kind.value})
            if not replaying:  # stage changes that overtook the create were parked: apply them now
                self._replay_douyin(tenant_id, command.order_id)
            return IntakeResult(**base, outcome="created" if created else "joined", ticket_id=ticket_id)
        if not mapped:
            if not replaying:
                self._park_douyin(tenant_id, command)
            return IntakeResult(**base, outcome="parked", detail="unknown after-sale")
        if (isinstance(command, douyin.TransitionTicket) and command.to_stage is douyin.Stage.REFUNDED
                and self._platform_refunded and self._platform_refunded(tenant_id, mapped, "douyin") is not None):
            return IntakeResult(**base, ticket_id=mapped, outcome="transitioned", detail="refund settled by douyin")
        if isinstance(command, douyin.TransitionTicket) and command.to_stage in _STAGE_TARGETS:
            return IntakeResult(**base, ticket_id=mapped, **self._drive(tenant_id, mapped, command))
        self.comment(tenant_id, mapped, channel="douyin", direction="system", author="douyin:platform",
                     body=f"Douyin: {_topic(command)}",
                     external_id=command.idempotency_key, data={"tag": command.tag})
        return IntakeResult(**base, outcome="commented", ticket_id=mapped)

    def _drive(self, tenant_id: str, ticket_id: str, command: douyin.TransitionTicket) -> dict[str, Any]:
        """Walk the ticket to where the platform says it is, one audited SYSTEM step at a time."""
        target = _STAGE_TARGETS[command.to_stage]
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        if target is Status.CLOSED and route(ticket.type, ticket.status, target) is None:
            target = Status.CANCELLED  # closed before approval: the request was withdrawn
        path = route(ticket.type, ticket.status, target, avoid=frozenset({Status.CANCELLED}))
        if not path:
            note = "already there" if path == [] else f"no automatic route {ticket.status.value} -> {target.value}"
            self.comment(tenant_id, ticket_id, channel="douyin", direction="system", author="douyin:platform",
                         body=f"Douyin stage {command.to_stage.value}: {note}", external_id=command.idempotency_key,
                         data={"tag": command.tag, "needs_agent": path is None})
            return {"outcome": "commented", "detail": note}
        for step in path:
            try:
                self._tickets.transition(tenant_id, ticket_id, step, SYSTEM, reason=f"douyin_{command.to_stage.value}",
                                         data={"douyin_tag": command.tag, "msg_id": command.idempotency_key},
                                         warrant=PlatformDecision(platform="douyin", reference=command.idempotency_key))
            except IllegalTransition:
                break
        return {"outcome": "transitioned", "detail": "->".join(s.value for s in path)}

    def _park_douyin(self, tenant_id: str, command: douyin.IntakeCommand) -> None:
        now = self._clock.now()
        self._store.park(tenant_id, f"douyin:order:{command.order_id}", {
            "message_id": new_id("msg", now), "at": iso(now), "channel": "douyin", "author": "douyin:platform",
            "body": command.model_dump_json(), "external_id": command.idempotency_key},
            expires_at=inbox.expires_epoch(iso(now), self._retention), listed=True)

    # ------------------------------------------------------------------ e-mail
    def email(self, tenant_id: str, raw: bytes) -> IntakeResult:
        mail = email_inbound.parse_email(raw)
        external_id = mail.message_id or _digest(raw.decode("utf-8", "replace"))
        if not self._store.first_seen(tenant_id, "email", external_id):
            return IntakeResult(source="email", external_id=external_id, outcome="duplicate")
        try:
            return self._email(tenant_id, mail, external_id)
        except Exception:
            self._store.forget(tenant_id, "email", external_id)
            raise

    def _email(self, tenant_id: str, mail: email_inbound.InboundEmail, external_id: str) -> IntakeResult:
        identities = [email_identity(mail.from_address)] if mail.from_address else []
        author = f"email:{_digest(mail.from_address or 'unknown')}"
        # Threading first: a reply to a message we know goes to that message's ticket.
        for candidate in email_inbound.thread_candidates(mail):
            ticket_id = self._store.lookup(tenant_id, f"MAIL#{candidate}")
            if ticket_id and self._open(tenant_id, ticket_id):
                attachments = self._store_attachments(tenant_id, ticket_id, external_id, mail)
                self._customer_wrote(tenant_id, ticket_id, channel="email", author=author, body=mail.text,
                             subject=mail.subject, external_id=external_id, attachments=attachments)
                self._store.claim(tenant_id, f"MAIL#{external_id}", ticket_id)
                return IntakeResult(source="email", external_id=external_id, outcome="commented", ticket_id=ticket_id)
        refs = email_inbound.extract_references(mail)
        result = self._text_intake(tenant_id, channel="email", identities=identities, author=author, body=mail.text,
                                   subject=mail.subject, external_id=external_id, order_numbers=refs.order_numbers,
                                   ticket_numbers=refs.ticket_numbers,
                                   contact=_mail_contact(mail.from_address))
        if result.outcome == "parked" and mail.attachments:
            self._attach_to_parked(tenant_id, identities, external_id, mail)
        if result.ticket_id:
            self._store.claim(tenant_id, f"MAIL#{external_id}", result.ticket_id)
            if mail.attachments:
                attachments = self._store_attachments(tenant_id, result.ticket_id, external_id, mail)
                self.comment(tenant_id, result.ticket_id, channel="email", direction="system", author="system",
                             body="attachments", external_id=external_id, attachments=attachments)
        return result

    def _attach_to_parked(self, tenant_id: str, identities: list[Identity], external_id: str,
                          mail: email_inbound.InboundEmail) -> None:
        """A parked mail's attachments go to S3 now (under `parked/`); the parked item points at
        them, so the replay puts them on the ticket without the raw mail."""
        key = identities[0].key if identities else "email:unknown"
        stored = self._store_attachments(tenant_id, "parked", external_id, mail)
        for doc in self._store.parked(tenant_id, key):
            if doc.get("external_id") == external_id:
                self._store.park(tenant_id, key, {**doc, "attachments": stored}, listed=True,
                                 expires_at=inbox.expires_epoch(doc["at"], self._retention))

    def _store_attachments(self, tenant_id: str, ticket_id: str, external_id: str,
                           mail: email_inbound.InboundEmail) -> list[dict[str, Any]]:
        if not mail.attachments or self._attachments is None:
            return []
        stored = []
        for index, attachment in enumerate(mail.attachments):
            name = "".join(c for c in attachment.filename if c.isalnum() or c in "._-")[:100] or "attachment"
            key = f"{tenant_id}/{ticket_id}/{_digest(external_id)}/{index}-{name}"
            self._attachments.put(tenant_id, key, attachment.content, attachment.content_type)
            stored.append({"key": key, "filename": attachment.filename, "content_type": attachment.content_type,
                           "size": len(attachment.content)})
        return stored

    # ------------------------------------------------------------------ contacts (storefront)
    def put_contact(self, tenant_id: str, customer_id: str, channel: str, address: str, locale: str | None) -> None:
        """Store how to reach the customer; an address that cannot be one on `channel` is refused
        (InvalidRequest naming `address`, 422 at the API) before anything is written."""
        if channel not in ("email", "wecom", "douyin"):
            raise InvalidRequest("error.unknown_channel", field="channel")
        if channel == "email":
            address = valid_email(address, "address")
            identity = email_identity(address)
        else:
            address = valid_platform_user(address, "address")
            identity = platform_user_identity(channel, address)
        self._store.put_contact(tenant_id, customer_id, channel, address, locale)
        self.link(tenant_id, customer_id, [identity])


def _identity_of(key: str) -> Identity | None:
    """The Identity behind an identity key (`<kind>:<namespace>:<value>`), or None if not one."""
    kind, _, rest = key.partition(":")
    namespace, _, value = rest.partition(":")
    try:
        return Identity(kind=IdentityKind(kind), namespace=namespace, value=value) if value else None
    except ValueError:
        return None


def _topic(command: douyin.IntakeCommand) -> str:
    return str(getattr(command, "topic", None) or getattr(command, "to_stage", None) or command.tag)


def safe_domain_error(exc: DomainError) -> dict[str, Any]:
    return {"code": exc.code, "message_id": exc.message_id}
