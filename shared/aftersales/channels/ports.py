"""Ports of the channels context (intake, identity, conversations, integration settings)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import ConfigDict

from aftersales.core.model import DomainModel

if TYPE_CHECKING:
    from aftersales.channels.wecom_kf import KfSyncPage
    from aftersales.disputes.model import PlatformCase


class ConversationItem(DomainModel):
    """One message on a ticket's conversation, whatever channel it came from or went to."""

    model_config = ConfigDict(frozen=True)

    message_id: str
    ticket_id: str
    at: str
    channel: str
    direction: str  # inbound | outbound | system
    author: str  # channel-scoped sender id or "system"; never an e-mail address or phone number
    body: str = ""
    subject: str | None = None
    external_id: str | None = None  # provider message id (Message-ID, MsgId, msg_id)
    attachments: list[dict[str, Any]] = []
    data: dict[str, Any] = {}


class DedupeMarkers(Protocol):
    """Which provider message ids were taken in (adapters/dynamo/intake.py: DynamoIntakeStore)."""

    def first_seen(self, tenant_id: str, source: str, external_id: str, ttl_days: int = 30) -> bool:
        """Conditional put of a dedupe marker; True the first time only."""

    def forget(self, tenant_id: str, source: str, external_id: str) -> None: ...


class IndexKeys(Protocol):
    """Keys that point at one ticket: same order + issue, a Douyin after-sale, a mail thread."""

    def claim(self, tenant_id: str, key: str, ticket_id: str) -> str | None:
        """Conditional put of an index key -> ticket id. Returns None when this call won, else the
        ticket id already holding the key."""

    def lookup(self, tenant_id: str, key: str) -> str | None: ...

    def release(self, tenant_id: str, key: str, ticket_id: str) -> None:
        """Forget `key` if it still points at `ticket_id` (ticket closed: a new issue may open)."""


class CustomerDirectory(Protocol):
    """Which customer an identity (platform user, e-mail, order) belongs to, and how to reach them."""

    def customer_of(self, tenant_id: str, identity_key: str) -> str | None: ...

    def link(self, tenant_id: str, customer_id: str, identity_keys: list[str]) -> None: ...

    def put_contact(self, tenant_id: str, customer_id: str, channel: str, address: str,
                    locale: str | None, details: Mapping[str, str] | None = None) -> None:
        """How to reach the customer on `channel`; `details` are kept with the address (e.g. the
        微信客服 account `open_kfid` a WeChat customer wrote to, so replies go back through it)."""

    def contacts(self, tenant_id: str, customer_id: str) -> dict[str, dict[str, Any]]: ...


class ParkedItems(Protocol):
    """Intake that could not be filed yet, and how listed items left the unmatched inbox."""

    def park(self, tenant_id: str, identity_key: str, item: dict[str, Any], *, expires_at: int | None = None,
             listed: bool = False) -> None:
        """Keep an item under the identity key; `listed` ones appear in the unmatched inbox."""

    def parked(self, tenant_id: str, identity_key: str) -> list[dict[str, Any]]:
        """The inbox of one identity key, oldest first."""

    def unpark(self, tenant_id: str, identity_key: str, item: dict[str, Any] | None = None) -> None:
        """Remove one parked item (it was matched), or the whole inbox when `item` is None."""

    def unmatched_page(self, tenant_id: str, *, before: str | None, limit: int, now_epoch: int
                       ) -> tuple[list[tuple[str, dict[str, Any], int]], str | None]:
        """Listed parked items with ids below `before`, newest first, unexpired: (item id, doc,
        expires_at epoch); and the id the next page starts below, None at the end."""

    def unmatched_item(self, tenant_id: str, item_id: str) -> tuple[str, dict[str, Any], int | None] | None:
        """(identity key, doc, expires_at) of a listed item still parked, else None."""

    def settle(self, tenant_id: str, item_id: str, record: dict[str, Any], expires_at: int, *,
               overwrite: bool = False) -> bool:
        """Record how a listed item left the inbox; False when a record exists (and not `overwrite`)."""

    def settled(self, tenant_id: str, item_id: str) -> dict[str, Any] | None: ...

    def unsettle(self, tenant_id: str, item_id: str) -> None: ...


class KeptBodies(Protocol):
    """Provider bodies kept exactly as received until a worker has filed them (Douyin pushes)."""

    def keep_body(self, tenant_id: str, source: str, body_id: str, body: bytes, ttl_days: int = 30) -> bool:
        """Conditional put of a provider body exactly as received (`body_id`: its digest); True the
        first time only, False when the same body is kept already."""

    def kept_body(self, tenant_id: str, source: str, body_id: str) -> bytes | None: ...

    def forget_body(self, tenant_id: str, source: str, body_id: str) -> None: ...


class ExternalRefs(Protocol):
    def put_external_ref(self, tenant_id: str, ticket_id: str, platform: str, ref: dict[str, Any]) -> None:
        """What a platform calls the request this ticket mirrors (e.g. a Douyin after-sale id and kind)."""

    def external_ref(self, tenant_id: str, ticket_id: str, platform: str) -> dict[str, Any] | None: ...


class KfCursors(Protocol):
    def kf_cursor(self, tenant_id: str, open_kfid: str) -> str | None:
        """Where the last kf/sync_msg of this 微信客服 account stopped (its `next_cursor`), or None."""

    def save_kf_cursor(self, tenant_id: str, open_kfid: str, cursor: str) -> None: ...


class IntakeStore(DedupeMarkers, IndexKeys, CustomerDirectory, ParkedItems, KeptBodies, ExternalRefs, KfCursors,
                  Protocol):
    """Everything the channels table keeps; each use case takes only the parts it uses."""


class ConversationStore(Protocol):
    def add(self, tenant_id: str, item: ConversationItem) -> None: ...

    def list(self, tenant_id: str, ticket_id: str) -> list[ConversationItem]: ...


@dataclass(frozen=True)
class BotGuess:
    """What the bot made of a customer's message, kept on that message (`data.bot`) for the agent:
    the intent it recognised, how sure it was, why it did or did not answer, and its suggested answer."""

    answered: bool
    intent: str | None
    confidence: float
    reason: str
    locale: str
    model_version: str
    suggested_answer: str | None = None
    answer_id: str | None = None  # the template's message id, or kb:<entry id>

    def data(self) -> dict[str, Any]:
        return {"answered": self.answered, "intent": self.intent, "confidence": self.confidence,
                "reason": self.reason, "locale": self.locale, "model_version": self.model_version,
                "suggested_answer": self.suggested_answer, "answer_id": self.answer_id}


class InboundAnswers(Protocol):
    """The automatic-answers context (answers/service.py): the bot's turn on a customer's channel
    message on a ticket - first what it makes of the text (kept on the message), then, once the
    message is on the conversation, the automatic answer or the hand-off to an agent."""

    def consider(self, tenant_id: str, ticket_id: str, text: str) -> BotGuess | None:
        """None when the bot has nothing to say (a closed ticket)."""

    def respond(self, tenant_id: str, message: ConversationItem, guess: BotGuess) -> None: ...


class AttachmentStore(Protocol):
    def put(self, tenant_id: str, key: str, content: bytes, content_type: str) -> str:
        """Stores the bytes; returns the object key."""


class PlatformRefunds(Protocol):
    """The refunds context, for a refund the platform (Douyin) paid itself (RefundService.settle_by_platform)."""

    def settle_by_platform(self, tenant_id: str, ticket_id: str, platform: str) -> object | None:
        """Settles the grant of ours that waits for the platform; None when there is none."""


class PlatformDisputes(Protocol):
    """The disputes context (DisputeService.platform_case), as a Douyin arbitration joins the
    disputes record of the ticket that mirrors the after-sale."""

    def platform_case(self, tenant_id: str, ticket_id: str, case: PlatformCase, *, event_id: str) -> object:
        """Open the record on the ticket (first message) or update it, once per msg_id."""


class IntegrationSettings(Protocol):
    """Per-tenant secrets and configuration of webhooks and channels (one item per integration)."""

    def get(self, tenant_id: str, name: str) -> dict[str, Any] | None: ...

    def put(self, tenant_id: str, name: str, config: dict[str, Any]) -> None: ...

    def names(self, tenant_id: str) -> list[str]: ...


class KfMessages(Protocol):
    """微信客服 messages are pulled, not pushed (channels/wecom_kf.py: WeComKfSync)."""

    def sync_msg(self, tenant_id: str, *, open_kfid: str, cursor: str | None, token: str | None,
                 limit: int = 1000) -> KfSyncPage:
        """One page from `cursor`; raises WeComApiError when WeCom refuses (after one token renewal)."""


class KfSyncRequests(Protocol):
    """The WeCom callback leaves 微信客服 news here and answers at once; a worker runs the sync
    (WeComIntake.sync_kf). adapters/aws_intake.py: SqsKfSyncRequests."""

    def request(self, tenant_id: str, open_kfid: str, token: str | None, event_id: str) -> None:
        """Raises when the request could not be left (the callback then answers 500; WeCom retries)."""


class DouyinIntakeQueue(Protocol):
    """The Douyin push keeps its body, leaves pointers to its messages here and answers at once; the
    intake worker (functions/douyin_intake, DouyinIntake.file) files them. adapters/aws_intake.py:
    SqsDouyinIntakeQueue."""

    def enqueue(self, tenant_id: str, push_id: str, groups: list[list[str]]) -> list[list[str]]:
        """One queue message per group (the msg ids of one after-sale, in push order) pointing at the
        kept push body; returns the groups that could not be left on the queue."""


class ImIntakeQueue(Protocol):
    """The IM push (Qiyu, Meiqia) keeps its verified body, leaves a pointer here and answers at once;
    the intake worker (functions/im_intake, ImIntake.file) takes it. adapters/aws_intake.py:
    SqsImIntakeQueue."""

    def enqueue(self, tenant_id: str, channel: str, body_id: str, event_type: str) -> None:
        """One small message naming the kept body (never its content); raises DomainError when it
        could not be queued."""


class JsonHttp(Protocol):
    """The chat/shop platforms' REST APIs (adapters/http_json.py)."""

    def request(self, method: str, url: str, body: dict[str, Any] | str | None = None) -> dict[str, Any]:
        """The decoded JSON body; raises DeliveryFailed on network errors and 5xx. A str body is
        sent as it is (signed request bodies)."""
