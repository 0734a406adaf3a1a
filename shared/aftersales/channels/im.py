"""IM channels (NetEase Qiyu 网易七鱼, Meiqia 美洽): their pushes read into one shape (pure).

Qiyu's message interface pushes, by `eventType` (query), a JSON body:
- MSG {uid, msgId, msgType, content, timeStamp (ms), staffId?, staffName?}: a message of the session
  of visitor `uid`; with a staffId it is what the Qiyu agent (or robot) said to the visitor, without
  one it is the visitor's own text;
- SESSION_START / SESSION_END {uid, sessionId, staffId, code, transferFrom / transferTo, closeReason}:
  a session of `uid` began (or was transferred in) / ended;
- EVA_INVITATION {uid, sessionId, staffId}: the agent invited the visitor to rate the session.
Meiqia's SDK 3.0 offline push {clientId, messageId, content, contentType, messageTime, fromName,
deviceOS, deviceToken, customizedData} is an agent's message to a customer who is offline.

Each becomes an `ImEvent`, and `entry()` says what it puts on a ticket's conversation: a customer
text goes through channel intake (`TextIntake`, where the bot takes its turn); an agent's message
and the session events are recorded as they are. Names (staffName, fromName) and device tokens are
never kept; an agent is `<channel>:staff:<id>`.
"""

from __future__ import annotations

import hashlib
import json
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict

from aftersales.channels.intake import digest
from aftersales.core.errors import InvalidRequest
from aftersales.core.model import DomainModel

QIYU, MEIQIA = "qiyu", "meiqia"
CHANNELS = (QIYU, MEIQIA)


class ImKind(StrEnum):
    CUSTOMER_MESSAGE = "customer_message"
    AGENT_MESSAGE = "agent_message"
    SESSION_STARTED = "session_started"
    SESSION_ENDED = "session_ended"
    EVALUATION_INVITED = "evaluation_invited"


class ImEvent(DomainModel):
    model_config = ConfigDict(frozen=True)

    channel: str
    kind: ImKind
    visitor: str  # Qiyu uid / Meiqia clientId: the conversation's key on that channel
    external_id: str  # the vendor's message id, else a digest of the body (dedupe)
    text: str = ""
    msg_type: str = "TEXT"
    staff_id: str | None = None
    session_id: str | None = None
    data: dict[str, Any] = {}

    @property
    def author(self) -> str:
        if self.staff_id:
            return f"{self.channel}:staff:{self.staff_id}"
        return f"{self.channel}:{digest(self.visitor)}"


def _json(body: bytes, channel: str) -> dict[str, Any]:
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise InvalidRequest("im.body_not_json", field="body", channel=channel) from None
    if not isinstance(doc, dict):
        raise InvalidRequest("im.body_not_json", field="body", channel=channel)
    return doc


def _text(value: Any) -> str | None:
    if isinstance(value, bool) or value is None:
        return None
    return str(value) if isinstance(value, str | int) else None


def _visitor(doc: dict[str, Any], name: str) -> str:
    visitor = _text(doc.get(name))
    if not visitor or not visitor.strip():
        raise InvalidRequest("im.visitor_missing", field=name)
    return visitor.strip()


QIYU_EVENTS = {"SESSION_START": ImKind.SESSION_STARTED, "SESSION_END": ImKind.SESSION_ENDED,
               "EVA_INVITATION": ImKind.EVALUATION_INVITED}


def parse_qiyu(event_type: str, body: bytes) -> ImEvent | None:
    """The push as an ImEvent; None for an event type we do not take (acknowledged, not stored)."""
    doc = _json(body, QIYU)
    staff = _text(doc.get("staffId"))
    if event_type == "MSG":
        msg_type = _text(doc.get("msgType")) or "TEXT"
        content = doc.get("content")
        text = content if isinstance(content, str) else json.dumps(content, ensure_ascii=False, sort_keys=True)
        return ImEvent(channel=QIYU, kind=ImKind.AGENT_MESSAGE if staff else ImKind.CUSTOMER_MESSAGE,
                       visitor=_visitor(doc, "uid"), external_id=_text(doc.get("msgId")) or digest(body.decode()),
                       text=text if msg_type == "TEXT" else "", msg_type=msg_type, staff_id=staff,
                       data={"at_ms": doc["timeStamp"]} if isinstance(doc.get("timeStamp"), int) else {})
    kind = QIYU_EVENTS.get(event_type)
    if kind is None:
        return None
    session = _text(doc.get("sessionId"))
    data = {k: doc[k] for k in ("code", "closeReason", "transferFrom", "transferTo")
            if isinstance(doc.get(k), int) and not isinstance(doc.get(k), bool)}
    return ImEvent(channel=QIYU, kind=kind, visitor=_visitor(doc, "uid"), staff_id=staff, session_id=session,
                   external_id=f"{event_type}:{session or digest(body.decode())}", data=data)


def parse_meiqia(body: bytes) -> ImEvent:
    """An SDK 3.0 offline push: an agent's message to a customer who is offline."""
    doc = _json(body, MEIQIA)
    content_type = _text(doc.get("contentType")) or "text"
    content = _text(doc.get("content")) or ""
    return ImEvent(channel=MEIQIA, kind=ImKind.AGENT_MESSAGE, visitor=_visitor(doc, "clientId"),
                   external_id=_text(doc.get("messageId")) or digest(body.decode()),
                   text=content if content_type == "text" else "", msg_type=content_type, staff_id="agent",
                   data={"at": doc["messageTime"]} if isinstance(doc.get("messageTime"), str) else {})


def body_id(event_type: str, body: bytes) -> str:
    """The kept push's id: the same bytes of the same event pushed again are one push."""
    return hashlib.sha256(event_type.encode() + b"\n" + body).hexdigest()[:32]


class Entry(DomainModel):
    """What an event puts on a ticket's conversation (the customer's own text goes through intake)."""

    model_config = ConfigDict(frozen=True)

    direction: str  # inbound | outbound | system
    author: str
    body: str
    data: dict[str, Any]


def entry(event: ImEvent) -> Entry:
    data: dict[str, Any] = {"im_event": event.kind.value, **event.data}
    if event.session_id:
        data["im_session"] = event.session_id
    if event.msg_type not in ("TEXT", "text"):
        data["msg_type"] = event.msg_type
    if event.kind is ImKind.CUSTOMER_MESSAGE:
        return Entry(direction="inbound", author=event.author, body=event.text, data=data)
    if event.kind is ImKind.AGENT_MESSAGE:  # said in the vendor's console, to the customer
        return Entry(direction="outbound", author=event.author, body=event.text, data=data)
    return Entry(direction="system", author=event.author, body="", data=data)
