"""Douyin shop (抖店) after-sales push messages -> intake commands.

Body: a JSON array of `{tag, msg_id, data}`. In live pushes `tag` may be a string and `data` is
itself a JSON-encoded string; the SDK samples in tests/fixtures carry `msgId` and an object `data`.
Both shapes are accepted. Idempotency key: msg_id.

Bounds: a push holds at most MAX_MESSAGES messages; a message whose tag or msg_id cannot be one
(not a short printable string / integer) or whose data is not an object makes the push a 400 (Douyin
never sends such a thing). Inside `data`, a field we cannot use (an id that is not a short id, an
amount Money refuses, a time outside core.clock's range, a number in non-ASCII digits) is read as
absent: the message is still taken, since refusing it would make Douyin push the whole batch again.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Container, Mapping
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

from pydantic import ConfigDict, ValidationError

from aftersales.core.clock import from_unix
from aftersales.core.errors import InvalidRequest
from aftersales.core.headers import header
from aftersales.core.model import DomainModel
from aftersales.core.money import Money
from aftersales.core.payloads import decode_json
from aftersales.logistics.verification import VerificationError

SIGN_HEADER = "event-sign"
DOUYIN_CURRENCY = "CNY"  # amounts are integer fen
MAX_MESSAGES = 500  # per push; Douyin batches far fewer
MAX_ID = 128  # msg_id ("<shop>::<app>:<time>:<seq>" ~60 characters), tags, after-sale and order ids
MAX_INT_DIGITS = 19  # int64: Douyin's order ids are 19 digits


class DouyinPayloadError(InvalidRequest):
    code = "douyin_payload_invalid"


def push_signature(app_key: str, body: bytes, app_secret: str) -> str:
    return hashlib.md5(app_key.encode() + body + app_secret.encode()).hexdigest()


def verify_push(headers: Mapping[str, str], body: bytes, app_key: str, app_secret: str) -> None:
    received = header(headers, SIGN_HEADER)
    if not received:
        raise VerificationError("webhook.signature_missing", provider="douyin")
    expected = push_signature(app_key, body, app_secret)
    if not hmac.compare_digest(expected.encode(), received.strip().lower().encode()):
        raise VerificationError("webhook.signature_invalid", provider="douyin")


# --- messages ------------------------------------------------------------------------------------

class DouyinMessage(DomainModel):
    model_config = ConfigDict(frozen=True)

    tag: str
    msg_id: str
    data: dict[str, Any]


def _decode_data(value: object) -> dict[str, Any]:
    if isinstance(value, str):
        try:
            value = decode_json(value)
        except ValueError as exc:
            raise DouyinPayloadError("douyin.data_not_json") from exc
    if not isinstance(value, dict):
        raise DouyinPayloadError("douyin.data_not_object")
    return value


def _identifier(value: object) -> str | None:
    """A short printable string, or an integer (Douyin sends ids both ways); else None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        text = str(value) if -10**MAX_INT_DIGITS < value < 10**MAX_INT_DIGITS else ""
    elif isinstance(value, str):
        text = value.strip()
    else:
        return None
    return text if text and len(text) <= MAX_ID and text.isprintable() else None


def _message(item: object, index: int) -> DouyinMessage:
    if not isinstance(item, dict):
        raise DouyinPayloadError("douyin.message_not_object", field=f"[{index}]")
    tag, msg_id = _identifier(item.get("tag")), _identifier(item.get("msg_id", item.get("msgId")))
    if tag is None or msg_id is None:
        raise DouyinPayloadError("douyin.message_without_tag_or_id", field=f"[{index}]")
    return DouyinMessage(tag=tag, msg_id=msg_id, data=_decode_data(item.get("data")))


def parse_push(body: bytes) -> list[DouyinMessage]:
    """Decode a verified push body. A single object (as in the SDK samples) is accepted too."""
    try:
        decoded = decode_json(body)
    except ValueError as exc:
        raise DouyinPayloadError("douyin.body_not_json") from exc
    items = decoded if isinstance(decoded, list) else [decoded]
    if len(items) > MAX_MESSAGES:
        raise DouyinPayloadError("douyin.too_many_messages", limit=MAX_MESSAGES)
    return [_message(item, index) for index, item in enumerate(items)]


# --- intake commands -----------------------------------------------------------------------------

class AfterSaleKind(StrEnum):
    RETURN_AND_REFUND = "return_and_refund"
    REFUND_ONLY_SHIPPED = "refund_only_shipped"
    REFUND_ONLY_UNSHIPPED = "refund_only_unshipped"
    EXCHANGE = "exchange"
    OTHER = "other"


_KINDS = {0: AfterSaleKind.RETURN_AND_REFUND, 1: AfterSaleKind.REFUND_ONLY_SHIPPED,
          2: AfterSaleKind.REFUND_ONLY_UNSHIPPED, 3: AfterSaleKind.EXCHANGE}


class Stage(StrEnum):
    """Platform-side after-sale stages; the tickets context maps them onto its transition table."""

    APPROVED = "approved"
    RETURN_APPROVED = "return_approved"
    RETURN_IN_TRANSIT = "return_in_transit"
    REJECTED = "rejected"
    RETURN_REJECTED = "return_rejected"
    REFUNDED = "refunded"
    CLOSED = "closed"
    EXCHANGE_CONFIRMED = "exchange_confirmed"
    IN_ARBITRATION = "in_arbitration"
    ARBITRATION_DECIDED = "arbitration_decided"


class _Command(DomainModel):
    model_config = ConfigDict(frozen=True)

    idempotency_key: str  # the push msg_id
    tag: str
    shop_id: str | None
    aftersale_id: str | None
    order_id: str | None  # p_id: the parent order
    sub_order_id: str | None  # s_id: the order line
    occurred_at: datetime | None


class CreateTicket(_Command):
    command: Literal["create_ticket"] = "create_ticket"
    kind: AfterSaleKind
    raw_aftersale_type: int | None
    refund_amount: Money | None
    refund_shipping_amount: Money | None
    reason_code: int | None


class TransitionTicket(_Command):
    command: Literal["transition_ticket"] = "transition_ticket"
    to_stage: Stage
    refund_amount: Money | None = None
    arbitrate_id: str | None = None  # arbitration stages (212, 216)
    arbitrate_conclusion: int | None = None  # 216: Douyin's outcome code, an open set


class CommentTicket(_Command):
    command: Literal["comment_ticket"] = "comment_ticket"
    topic: str
    details: dict[str, Any]
    arbitrate_id: str | None = None  # arbitration messages (213-215, 217, 218)


class UnknownMessage(_Command):
    command: Literal["unknown"] = "unknown"
    raw: dict[str, Any]


IntakeCommand = CreateTicket | TransitionTicket | CommentTicket | UnknownMessage

TRANSITIONS: dict[str, Stage] = {
    "201": Stage.APPROVED,
    "202": Stage.RETURN_APPROVED,
    "203": Stage.RETURN_IN_TRANSIT,
    "204": Stage.REJECTED,
    "205": Stage.RETURN_REJECTED,
    "206": Stage.REFUNDED,
    "207": Stage.CLOSED,
    "211": Stage.EXCHANGE_CONFIRMED,
    "212": Stage.IN_ARBITRATION,
    "216": Stage.ARBITRATION_DECIDED,
}
COMMENTS: dict[str, str] = {
    "208": "buyer_modified_request",
    "209": "deadline_changed",
    "213": "arbitration_evidence_requested",  # 客服要求商家上传凭证
    "214": "arbitration_evidence_submitted",  # 商家上传仲裁凭证
    "215": "arbitration_cancelled",  # 买家取消仲裁
    "217": "platform_service_intervened",
    "218": "arbitration_evidence_uploaded",
}
CREATE_TAG = "200"
# Which field carries the event time, per message type (first present wins).
_TIME_FIELDS = ("apply_time", "agree_time", "return_time", "refuse_time", "success_time",
                "close_time", "modify_time", "update_time", "create_time")


def _int(value: object) -> int | None:
    """An integer Douyin sent as a number or as ASCII digits (int() would take "١٢٣" too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        text = value.strip()
        value = int(text) if text.isascii() and text.lstrip("-").isdigit() and len(text) <= MAX_INT_DIGITS else None
    return value if isinstance(value, int) and abs(value) < 10**MAX_INT_DIGITS else None


def _str(value: object) -> str | None:
    return _identifier(value)


def _fen(value: object) -> Money | None:
    amount = _int(value)
    if amount is None:
        return None
    try:
        return Money(amount=amount, currency=DOUYIN_CURRENCY)
    except ValidationError:  # negative, or more than any payment carries
        return None


def _occurred_at(data: Mapping[str, Any]) -> datetime | None:
    for name in _TIME_FIELDS:
        at = from_unix(data.get(name))
        if at:
            return at
    return None


def _common(message: DouyinMessage) -> dict[str, Any]:
    d = message.data
    return {"idempotency_key": message.msg_id, "tag": message.tag, "shop_id": _str(d.get("shop_id")),
            "aftersale_id": _str(d.get("aftersale_id")), "order_id": _str(d.get("p_id")),
            "sub_order_id": _str(d.get("s_id")), "occurred_at": _occurred_at(d)}


def to_command(message: DouyinMessage) -> IntakeCommand:
    d, common = message.data, _common(message)
    if message.tag == CREATE_TAG:
        raw_type = _int(d.get("aftersale_type"))
        return CreateTicket(**common, kind=_KINDS.get(raw_type, AfterSaleKind.OTHER),
                            raw_aftersale_type=raw_type, refund_amount=_fen(d.get("refund_amount")),
                            refund_shipping_amount=_fen(d.get("refund_post_amount")),
                            reason_code=_int(d.get("reason_code")))
    if message.tag in TRANSITIONS:
        return TransitionTicket(**common, to_stage=TRANSITIONS[message.tag],
                                refund_amount=_fen(d.get("refund_amount")), arbitrate_id=_str(d.get("arbitrate_id")),
                                arbitrate_conclusion=_int(d.get("arbitrate_conclusion")))
    if message.tag in COMMENTS:
        return CommentTicket(**common, topic=COMMENTS[message.tag], details=dict(d),
                             arbitrate_id=_str(d.get("arbitrate_id")))
    return UnknownMessage(**common, raw=dict(d))


def push_id(body: bytes) -> str:
    """The key a push body is kept under: its digest (a re-push of the same bytes is the same push)."""
    return hashlib.sha256(body).hexdigest()


def group_of(command: IntakeCommand) -> str:
    """Messages of one after-sale (else one order, else alone) are filed in push order, by one worker."""
    return command.aftersale_id or command.order_id or command.idempotency_key


def to_commands(messages: list[DouyinMessage], already_seen: Container[str] = frozenset()
                ) -> list[IntakeCommand]:
    """Skips msg_ids seen before (the store's dedupe table) and repeats inside the batch."""
    commands: list[IntakeCommand] = []
    batch_seen: set[str] = set()
    for message in messages:
        if message.msg_id in already_seen or message.msg_id in batch_seen:
            continue
        batch_seen.add(message.msg_id)
        commands.append(to_command(message))
    return commands
