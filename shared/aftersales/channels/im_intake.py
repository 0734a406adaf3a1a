"""IM pushes (Qiyu, Meiqia) as intake, and the staff action that links an IM conversation to a ticket.

A push is verified (the tenant's secret, `im_signatures`) before its body is read, then kept and
queued, and answered at once (Qiyu wants an answer within 10 s); the intake worker takes each
message or session event once (the vendor's message id). A customer's text is channel intake like a
WeCom message (`TextIntake.file`: the linked ticket, else the sender's open ticket, else parked in
the unmatched inbox); an agent's message and the session events go on the linked ticket's
conversation as they are, and an agent's message on a conversation not linked yet is parked under
the visitor. Linking ("this conversation is about ticket X") points the conversation at the ticket,
links the visitor to the ticket's customer (replies then reach them on the channel) and files what
was parked, in order.

Nothing here logs message bodies or visitor ids.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools import Logger

from aftersales.channels import im, im_signatures
from aftersales.channels.conversations import Conversations
from aftersales.channels.customers import CustomerLinks
from aftersales.channels.dedupe import Dedupe
from aftersales.channels.identity import platform_user_identity
from aftersales.channels.intake import IntakeResult
from aftersales.channels.parking import Parking
from aftersales.channels.ports import ImIntakeQueue, IndexKeys, IntegrationSettings, KeptBodies
from aftersales.channels.text_intake import TextIntake, TextMessage
from aftersales.core.clock import Clock
from aftersales.core.errors import Conflict, DomainError, InvalidRequest, NotFound
from aftersales.core.model import DomainModel
from aftersales.logistics.verification import VerificationError
from aftersales.tickets.domain import Actor, OpenTicket
from aftersales.tickets.model import Role
from aftersales.tickets.service import TicketService

logger = Logger(child=True)
LINKED_EVENT = "ticket.im_conversation_linked"
LINKER = "system:im"


def settings_name(channel: str) -> str:
    return f"channel:{channel}"


def conversation_key(channel: str, visitor: str) -> str:
    """The index key pointing an IM conversation (channel + visitor) at its ticket."""
    return f"im:{channel}:{visitor}"


class ImLink(DomainModel):
    channel: str
    ticket_id: str
    customer_id: str
    filed: list[str]  # parked items filed on the ticket by the link, oldest first
    previous_ticket_id: str | None = None


class ImIntake:
    def __init__(self, settings: IntegrationSettings, dedupe: Dedupe, text: TextIntake,
                 conversations: Conversations, links: CustomerLinks, keys: IndexKeys, parking: Parking,
                 tickets: TicketService, clock: Clock, bodies: KeptBodies, queue: ImIntakeQueue | None) -> None:
        """`bodies` keeps a verified push until the worker took it; `queue`: where the push leaves it
        for the worker (None: not deployed, a push is refused with 500 so the vendor pushes again)."""
        self._settings, self._dedupe, self._text, self._conversations = settings, dedupe, text, conversations
        self._links, self._keys, self._parking, self._tickets, self._clock = links, keys, parking, tickets, clock
        self._bodies, self._queue = bodies, queue

    # ------------------------------------------------------------------ pushes
    def push(self, tenant_id: str, channel: str, query: Mapping[str, str], headers: Mapping[str, str],
             body: bytes) -> IntakeResult:
        """Verify, read (400 for a malformed body), keep and queue the push; nothing is filed here.
        Unknown tenant or channel: 401 like a bad signature. The same bytes pushed again are kept and
        queued once."""
        config = self._settings.get(tenant_id, settings_name(channel)) if channel in im.CHANNELS else None
        if not config:
            raise VerificationError("webhook.signature_invalid", provider=channel)
        if channel == im.QIYU:
            event_type = im_signatures.verify_qiyu(config["app_secret"], query, body, self._clock.now())
        else:
            im_signatures.verify_meiqia(config["secret_key"], headers, body)
            event_type = "offline_push"
        event = _parse(channel, event_type, body)
        if event is None:
            return IntakeResult(source=channel, external_id=None, outcome="ignored", detail=event_type)
        body_id = im.body_id(event_type, body)
        if not self._bodies.keep_body(tenant_id, channel, body_id, body, ttl_days=7):
            return IntakeResult(source=channel, external_id=event.external_id, outcome="duplicate")
        try:
            if self._queue is None:
                raise DomainError("error.event_publish_failed", detail_type="im.intake")
            self._queue.enqueue(tenant_id, channel, body_id, event_type)
        except DomainError:  # not queued: forget the body, so the vendor's re-push is queued again
            self._bodies.forget_body(tenant_id, channel, body_id)
            raise
        return IntakeResult(source=channel, external_id=event.external_id, outcome="queued")

    def file(self, tenant_id: str, channel: str, body_id: str, event_type: str) -> IntakeResult:
        """The worker's turn: take a queued push once (the vendor's message id). A failure raises: the
        queue retries it (then DLQ), and the dedupe marker makes that safe."""
        body = self._bodies.kept_body(tenant_id, channel, body_id)
        event = _parse(channel, event_type, body) if body is not None else None
        if event is None:  # kept 7 days: a queue message older than that has nothing left to take
            logger.warning("im push body gone", extra={"channel": channel})
            return IntakeResult(source=channel, external_id=None, outcome="ignored", detail="body_expired")
        result = self._dedupe.once(tenant_id, channel, event.external_id, lambda: self._take(tenant_id, event))
        if result is None:
            return IntakeResult(source=channel, external_id=event.external_id, outcome="duplicate")
        logger.info("im push taken", extra={"channel": channel, "kind": event.kind.value, "outcome": result.outcome})
        return result

    def _take(self, tenant_id: str, event: im.ImEvent) -> IntakeResult:
        base = {"source": event.channel, "external_id": event.external_id}
        linked = self._keys.lookup(tenant_id, conversation_key(event.channel, event.visitor))
        if event.kind is im.ImKind.CUSTOMER_MESSAGE:
            return self._text.file(tenant_id, TextMessage(
                channel=event.channel, identities=(platform_user_identity(event.channel, event.visitor),),
                author=event.author, body=event.text, external_id=event.external_id,
                contact=(event.channel, event.visitor), ticket_id=linked))
        ticket_id = self._open(tenant_id, linked) if linked else None
        said = im.entry(event)
        if ticket_id:
            self._conversations.add(tenant_id, ticket_id, channel=event.channel, direction=said.direction,
                                    author=said.author, body=said.body, external_id=event.external_id,
                                    data=said.data)
            return IntakeResult(**base, outcome="commented", ticket_id=ticket_id)
        if event.kind is not im.ImKind.AGENT_MESSAGE:  # a session event of a conversation on no ticket
            return IntakeResult(**base, outcome="ignored", detail="not_linked")
        identity = platform_user_identity(event.channel, event.visitor)
        item = self._parking.new_item(channel=event.channel, author=said.author, body=said.body,
                                      external_id=event.external_id, direction=said.direction, data=said.data)
        self._parking.park(tenant_id, identity.key, item)
        return IntakeResult(**base, outcome="parked")

    def _open(self, tenant_id: str, ticket_id: str) -> str | None:
        try:
            ticket = self._tickets.get(tenant_id, ticket_id, _linker())
        except NotFound:
            return None
        return None if ticket.is_terminal else ticket.id

    # ------------------------------------------------------------------ staff: link to a ticket
    def link(self, tenant_id: str, channel: str, visitor: str, ticket_id: str, actor: Actor) -> ImLink:
        """Point the conversation of `visitor` on `channel` at `ticket_id` (an open ticket the actor
        may see), link the visitor to its customer and file the conversation's parked messages on it."""
        _check(channel, visitor)
        try:
            ticket = self._tickets.get(tenant_id, ticket_id, actor)
        except NotFound:
            raise InvalidRequest("inbox.unknown_ticket", field="ticket_id", ticket_id=ticket_id) from None
        if ticket.is_terminal:
            raise Conflict("inbox.ticket_closed", field="ticket_id", ticket_id=ticket_id)
        key = conversation_key(channel, visitor.strip())
        previous = self._keys.lookup(tenant_id, key)
        if previous and previous != ticket.id:
            self._keys.release(tenant_id, key, previous)
        if previous != ticket.id and self._keys.claim(tenant_id, key, ticket.id) not in (None, ticket.id):
            raise Conflict("im.conversation_link_changed", field="ticket_id")  # another agent, same moment
        identity = platform_user_identity(channel, visitor)
        self._links.link(tenant_id, ticket.customer_id, [identity])
        self._links.remember_contact(tenant_id, ticket.customer_id, channel, identity.value)
        filed = [self._file(tenant_id, ticket.id, identity.key, item, actor) for item in
                 self._parking.parked(tenant_id, identity.key) if item.get("channel") == channel]
        self._tickets.note(tenant_id, ticket.id, LINKED_EVENT, _linker(actor.request_id),
                           reason="im_conversation_linked",
                           data={"channel": channel, "by": actor.id, "filed": len(filed),
                                 **({"previous_ticket_id": previous} if previous and previous != ticket.id else {})})
        logger.info("im conversation linked", extra={"tenant_id": tenant_id, "channel": channel,
                                                     "ticket_id": ticket.id, "filed": len(filed)})
        return ImLink(channel=channel, ticket_id=ticket.id, customer_id=ticket.customer_id, filed=filed,
                      previous_ticket_id=previous if previous != ticket.id else None)

    def open_ticket(self, tenant_id: str, channel: str, visitor: str, request: OpenTicket, actor: Actor) -> ImLink:
        """Staff, in one action: open a ticket for the order the conversation is about (its customer is
        the order's) and link the conversation to it."""
        _check(channel, visitor)
        ticket = self._tickets.open(tenant_id, request, actor)
        return self.link(tenant_id, channel, visitor, ticket.id, actor)

    def _file(self, tenant_id: str, ticket_id: str, identity_key: str, item: dict[str, Any], actor: Actor) -> str:
        self._conversations.add(tenant_id, ticket_id, channel=item["channel"],
                                direction=item.get("direction") or "inbound", author=item.get("author") or "",
                                body=item.get("body") or "", external_id=item.get("external_id"),
                                data={**(item.get("data") or {}), "inbox_item": item["message_id"],
                                      "filed_by": actor.id})
        self._parking.matched(tenant_id, identity_key, item, ticket_id)
        return item["message_id"]


def _check(channel: str, visitor: str) -> None:
    if channel not in im.CHANNELS:
        raise InvalidRequest("im.unknown_channel", field="channel", channel=channel)
    if not visitor.strip() or len(visitor) > 128:
        raise InvalidRequest("im.visitor_missing", field="visitor")


def _parse(channel: str, event_type: str, body: bytes) -> im.ImEvent | None:
    return im.parse_qiyu(event_type, body) if channel == im.QIYU else im.parse_meiqia(body)


def _linker(request_id: str | None = None) -> Actor:
    return Actor(id=LINKER, roles=frozenset({Role.SYSTEM}), request_id=request_id)
