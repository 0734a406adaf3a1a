"""Douyin shop pushes: the push is verified, kept and queued at once (DouyinPush); the intake
worker files its messages from the kept body, once per msg_id (DouyinIntake): a create opens (or
joins) the order's ticket, a stage change walks the ticket there, anything else is a comment.
Events for an order or after-sale we do not know yet are parked and replayed when it arrives."""

from __future__ import annotations

from collections.abc import Mapping
from functools import partial
from typing import Annotated, Any

from aws_lambda_powertools import Logger
from pydantic import Field, TypeAdapter

from aftersales.channels import douyin, douyin_arbitration, douyin_stages
from aftersales.channels.aggregation import Aggregation
from aftersales.channels.conversations import Conversations
from aftersales.channels.dedupe import Dedupe
from aftersales.channels.identity import IssueCategory
from aftersales.channels.intake import SYSTEM, IntakeResult, ticket_type
from aftersales.channels.parking import Parking
from aftersales.channels.ports import (
    DouyinIntakeQueue,
    ExternalRefs,
    IndexKeys,
    IntegrationSettings,
    KeptBodies,
    PlatformDisputes,
    PlatformRefunds,
)
from aftersales.core.errors import DomainError, Forbidden, IllegalTransition, InvalidRequest
from aftersales.logistics.verification import VerificationError
from aftersales.tickets.model import Channel
from aftersales.tickets.service import TicketService
from aftersales.tickets.warrants import PlatformDecision

logger = Logger(child=True)
SOURCE = "douyin"
AUTHOR = "douyin:platform"
_COMMAND: TypeAdapter[douyin.IntakeCommand] = TypeAdapter(
    Annotated[douyin.IntakeCommand, Field(discriminator="command")])

KINDS = {
    douyin.AfterSaleKind.RETURN_AND_REFUND: IssueCategory.RETURN_REFUND,
    douyin.AfterSaleKind.REFUND_ONLY_SHIPPED: IssueCategory.REFUND_ONLY,
    douyin.AfterSaleKind.REFUND_ONLY_UNSHIPPED: IssueCategory.REFUND_ONLY,
    douyin.AfterSaleKind.EXCHANGE: IssueCategory.EXCHANGE,
    douyin.AfterSaleKind.OTHER: IssueCategory.OTHER,
}


def aftersale_key(aftersale_id: str) -> str:
    """The index key of the ticket that mirrors a Douyin after-sale."""
    return f"DYAS#{aftersale_id}"


def parked_key(order_id: str | None) -> str:
    return f"douyin:order:{order_id}"


class DouyinPush:
    def __init__(self, settings: IntegrationSettings, bodies: KeptBodies, queue: DouyinIntakeQueue | None) -> None:
        """`queue`: where the push leaves its messages for the intake worker (None: not deployed)."""
        self._settings, self._bodies, self._queue = settings, bodies, queue

    def receive(self, tenant_id: str, headers: Mapping[str, str], body: bytes) -> list[IntakeResult]:
        """Verify and read the push, keep its body, queue its messages per after-sale and answer:
        Douyin pushes again what is not answered fast, so nothing is filed here (`DouyinIntake.file`
        does, from the queue). A push whose bytes were kept before is a duplicate, queued once."""
        config = self._settings.get(tenant_id, "channel:douyin")
        if not config:
            raise VerificationError("webhook.signature_invalid", provider="douyin")
        douyin.verify_push(headers, body, config["app_key"], config["app_secret"])
        commands = douyin.to_commands(douyin.parse_push(body))
        push_id = douyin.push_id(body)
        if not self._bodies.keep_body(tenant_id, SOURCE, push_id, body):
            return [IntakeResult(source=SOURCE, external_id=c.idempotency_key, outcome="duplicate") for c in commands]
        groups: dict[str, list[str]] = {}
        for command in commands:
            groups.setdefault(douyin.group_of(command), []).append(command.idempotency_key)
        if self._queue is None or self._queue.enqueue(tenant_id, push_id, list(groups.values())):
            # not (all) queued: forget the body, so Douyin's re-push queues the messages again
            self._bodies.forget_body(tenant_id, SOURCE, push_id)
            raise DomainError("error.event_publish_failed", detail_type="douyin.intake")
        return [IntakeResult(source=SOURCE, external_id=c.idempotency_key, outcome="queued") for c in commands]


class DouyinIntake:
    def __init__(self, bodies: KeptBodies, dedupe: Dedupe, keys: IndexKeys, refs: ExternalRefs,
                 aggregation: Aggregation, conversations: Conversations, tickets: TicketService, parking: Parking,
                 platform_refunds: PlatformRefunds | None = None, platform_disputes: PlatformDisputes | None = None
                 ) -> None:
        """`platform_refunds` settles the refund grant the platform paid (None: no refunds context);
        `platform_disputes` joins Douyin's arbitration (212-218) to the disputes record (None: no
        disputes context; the messages are still noted on the ticket)."""
        self._bodies, self._dedupe, self._keys, self._refs = bodies, dedupe, keys, refs
        self._aggregation, self._conversations, self._tickets = aggregation, conversations, tickets
        self._parking, self._platform_refunds, self._platform_disputes = parking, platform_refunds, platform_disputes

    def file(self, tenant_id: str, push_id: str, msg_ids: list[str]) -> list[IntakeResult]:
        """File queued Douyin messages (one after-sale's, in push order) from the kept push body,
        each once (msg_id). A message our rules refuse (InvalidRequest) is parked for an agent; any
        other failure raises after forgetting that message: the queue retries it, then the DLQ."""
        body = self._bodies.kept_body(tenant_id, SOURCE, push_id)
        if body is None:  # kept 30 days; a queue message older than that has nothing left to file
            logger.warning("douyin push body expired", extra={"messages": len(msg_ids)})
            return [IntakeResult(source=SOURCE, external_id=i, outcome="ignored", detail="expired") for i in msg_ids]
        commands = {c.idempotency_key: c for c in douyin.to_commands(douyin.parse_push(body))}
        results: list[IntakeResult] = []
        for msg_id in msg_ids:
            command = commands.get(msg_id)
            result = None if command is None else self._dedupe.once(
                tenant_id, SOURCE, msg_id, partial(self._file_or_park, tenant_id, command))
            if result is None:
                result = IntakeResult(source=SOURCE, external_id=msg_id, outcome="duplicate")
            results.append(result)
        return results

    def _file_or_park(self, tenant_id: str, command: douyin.IntakeCommand) -> IntakeResult:
        try:
            return self._command(tenant_id, command)
        except InvalidRequest as exc:
            # the platform's data does not fit the order (e.g. a line it does not have): retrying
            # changes nothing, so it goes to the unmatched inbox for an agent instead of the DLQ
            self._park(tenant_id, command)
            logger.warning("douyin message refused, parked", extra={"tag": command.tag, "reason": exc.message_id})
            return IntakeResult(source=SOURCE, external_id=command.idempotency_key, outcome="parked",
                                detail=exc.message_id)

    def replay_order(self, tenant_id: str, order_id: str | None) -> list[IntakeResult]:
        """Re-run the Douyin commands parked for an order, oldest first (the create, then the stage
        changes that arrived before it). Each one that is no longer parked leaves the inbox."""
        if not order_id:
            return []
        key = parked_key(order_id)
        results: list[IntakeResult] = []
        for item in self._parking.parked(tenant_id, key):
            command = _COMMAND.validate_json(item["body"])
            try:
                result = self._command(tenant_id, command, replaying=True)
            except InvalidRequest:  # still does not fit the order (see `file`): it waits for an agent
                continue
            if result.outcome == "parked":
                continue
            self._parking.matched(tenant_id, key, item, result.ticket_id)
            logger.info("parked douyin event matched", extra={"tag": command.tag, "outcome": result.outcome})
            results.append(result.model_copy(update={"detail": "replayed"}))
        return results

    def _command(self, tenant_id: str, command: douyin.IntakeCommand, replaying: bool = False) -> IntakeResult:
        base = {"source": SOURCE, "external_id": command.idempotency_key}
        mapped = self._keys.lookup(tenant_id, aftersale_key(command.aftersale_id)) if command.aftersale_id else None
        if isinstance(command, douyin.CreateTicket):
            if mapped:
                return IntakeResult(**base, outcome="duplicate", ticket_id=mapped)
            if not command.order_id or not self._aggregation.customer_of_order(tenant_id, command.order_id):
                if not replaying:
                    self._park(tenant_id, command)
                return IntakeResult(**base, outcome="parked", detail="unknown order")
            ticket_id, created = self._create(tenant_id, command, command.order_id)
            if not replaying:  # stage changes that overtook the create were parked: apply them now
                self.replay_order(tenant_id, command.order_id)
            return IntakeResult(**base, outcome="created" if created else "joined", ticket_id=ticket_id)
        if not mapped:
            if not replaying:
                self._park(tenant_id, command)
            return IntakeResult(**base, outcome="parked", detail="unknown after-sale")
        self._join_arbitration(tenant_id, mapped, command)
        if (isinstance(command, douyin.TransitionTicket) and command.to_stage is douyin.Stage.REFUNDED
                and self._platform_refunds is not None
                and self._platform_refunds.settle_by_platform(tenant_id, mapped, SOURCE) is not None):
            return IntakeResult(**base, ticket_id=mapped, outcome="transitioned", detail="refund settled by douyin")
        if isinstance(command, douyin.TransitionTicket):
            return IntakeResult(**base, ticket_id=mapped, **self._drive(tenant_id, mapped, command))
        self._conversations.add(tenant_id, mapped, channel=SOURCE, direction="system", author=AUTHOR,
                                body=f"Douyin: {_topic(command)}", external_id=command.idempotency_key,
                                data={"tag": command.tag})
        return IntakeResult(**base, outcome="commented", ticket_id=mapped)

    def _join_arbitration(self, tenant_id: str, ticket_id: str, command: douyin.IntakeCommand) -> None:
        """An arbitration message joins the disputes record of the after-sale's ticket (once per
        msg_id); the ticket's note or move below is unchanged, so its agent still sees it there."""
        if self._platform_disputes is None or command.tag not in douyin_arbitration.TAGS:
            return
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        case = douyin_arbitration.arbitration_case(command, ticket.requested_amount)
        if case is not None:
            self._platform_disputes.platform_case(tenant_id, ticket_id, case, event_id=command.idempotency_key)

    def _create(self, tenant_id: str, command: douyin.CreateTicket, order_id: str) -> tuple[str, bool]:
        category = KINDS[command.kind]
        ticket_id, created = self._aggregation.open_or_join(
            tenant_id, order_id=order_id, category=category, ticket_type=ticket_type(category),
            channel=SOURCE, reason_code=f"douyin_{command.reason_code}" if command.reason_code else "douyin",
            description=None, author=AUTHOR, body=f"Douyin after-sale {command.aftersale_id} opened",
            external_id=command.idempotency_key, data={"aftersale_id": command.aftersale_id, "tag": command.tag},
            line_ids=[command.sub_order_id] if command.sub_order_id else None)
        if command.aftersale_id:
            self._keys.claim(tenant_id, aftersale_key(command.aftersale_id), ticket_id)
            # the way back: decisions taken here are written to this after-sale (DouyinWriteback)
            self._refs.put_external_ref(tenant_id, ticket_id, SOURCE, {
                "aftersale_id": command.aftersale_id, "kind": command.kind.value})
        return ticket_id, created

    def _drive(self, tenant_id: str, ticket_id: str, command: douyin.TransitionTicket) -> dict[str, Any]:
        """Walk the ticket to where the platform says it is, one audited SYSTEM step at a time
        (douyin_stages.follow); when it cannot, or stops on the way, a note says exactly why."""
        ticket = self._tickets.get(tenant_id, ticket_id, SYSTEM)
        if ticket.channel is not Channel.DOUYIN:  # joined a ticket opened elsewhere: Douyin does not own it
            decided: douyin_stages.Follow | douyin_stages.Hold = douyin_stages.Hold(
                "not_a_douyin_ticket", f"Douyin stage {command.to_stage.value}: the ticket came from "
                f"{ticket.channel.value}, so Douyin's decisions do not move it", True)
        else:
            decided = douyin_stages.follow(ticket.type, ticket.status, command)
        if isinstance(decided, douyin_stages.Hold):
            self._note(tenant_id, ticket_id, command, decided)
            return {"outcome": "commented", "detail": decided.reason}
        taken: list[str] = []
        for step in decided.path:
            try:
                ticket = self._tickets.transition(
                    tenant_id, ticket_id, step, SYSTEM, reason=f"douyin_{command.to_stage.value}",
                    data={"douyin_tag": command.tag, "msg_id": command.idempotency_key},
                    warrant=PlatformDecision(platform=SOURCE, reference=command.idempotency_key))
            except (IllegalTransition, Forbidden) as exc:  # moved meanwhile, or the warrant was refused
                current = self._tickets.get(tenant_id, ticket_id, SYSTEM).status
                self._note(tenant_id, ticket_id, command, douyin_stages.Hold(
                    "stopped", f"Douyin stage {command.to_stage.value}: stopped at {current.value}, "
                    f"{current.value} -> {step.value} refused ({exc.message_id})", True))
                return {"outcome": "transitioned" if taken else "commented",
                        "detail": "->".join([*taken, f"stopped at {current.value}"])}
            taken.append(step.value)
        return {"outcome": "transitioned", "detail": "->".join(taken)}

    def _note(self, tenant_id: str, ticket_id: str, command: douyin.TransitionTicket,
              hold: douyin_stages.Hold) -> None:
        self._conversations.add(tenant_id, ticket_id, channel=SOURCE, direction="system", author=AUTHOR,
                                body=hold.note, external_id=command.idempotency_key,
                                data={"tag": command.tag, "reason": hold.reason, "needs_agent": hold.needs_agent})

    def _park(self, tenant_id: str, command: douyin.IntakeCommand) -> None:
        item = self._parking.new_item(channel=SOURCE, author=AUTHOR, body=command.model_dump_json(),
                                      external_id=command.idempotency_key)
        self._parking.park(tenant_id, parked_key(command.order_id), item)


def _topic(command: douyin.IntakeCommand) -> str:
    return str(getattr(command, "topic", None) or getattr(command, "to_stage", None) or command.tag)
