"""Knowledge-base routes: the tenant's entries for the automatic answers (questions in several
phrasings, the answer per locale, tags), kept by supervisors and admins and read by agents; and a
dry run of the bot on a ticket (what it would answer, with its intent and confidence)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path
from pydantic import ConfigDict, Field

from aftersales.answers.knowledge import EntryChanges
from aftersales.answers.model import MAX_ANSWER, MAX_QUESTION, MAX_QUESTIONS, MAX_TAG, MAX_TAGS, KbEntry
from aftersales.auth.credentials import ApiKeyScope
from aftersales.core.errors import Unavailable
from aftersales.core.model import DomainModel
from aftersales.core.text import free_text, label
from aftersales.http.context import RequestContext, json_response
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
TAGS = ["knowledge-base"]
READERS = (Role.AGENT, Role.SUPERVISOR, Role.ADMIN)
EDITORS = (Role.SUPERVISOR, Role.ADMIN)
EntryId = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^kb_[0-9A-Z]{26}$")]
Question = label(MAX_QUESTION, min_length=1)
Tag = label(MAX_TAG, min_length=1)
Answer = free_text(MAX_ANSWER, min_length=1)


class EntryRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    questions: list[Question] = Field(min_length=1, max_length=MAX_QUESTIONS,
                                      description="Phrasings of the question, in any of the customers' languages")
    answers: dict[str, Answer] = Field(
        min_length=1, description="The answer per locale (en, zh-Hans, ...); a customer writing in a locale "
                                  "without one is handed to an agent", examples=[{"en": "...", "zh-Hans": "..."}])
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    enabled: bool = True

    def changes(self) -> EntryChanges:
        return EntryChanges(questions=self.questions, answers=self.answers, tags=self.tags, enabled=self.enabled)


class TryRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    ticket_id: str = Field(min_length=1, max_length=64)
    text: free_text(2000, min_length=1)


def _view(entry: KbEntry) -> dict:
    return {"id": entry.entry_id, "questions": entry.questions, "answers": entry.answers, "tags": entry.tags,
            "enabled": entry.enabled, "created_at": entry.created_at, "updated_at": entry.updated_at,
            "version": entry.version}


def _etag(entry: KbEntry) -> dict[str, str]:
    return {"ETag": f'"{entry.version}"'}


def _editor() -> None:
    request.require(*EDITORS, scopes=(ApiKeyScope.ADMIN,))


@router.post("/knowledge-base/entries", tags=TAGS, status_code=201, summary="Add a knowledge-base entry")
def create_entry(body: EntryRequest) -> Response[dict]:
    _editor()

    def compute() -> dict:
        return _view(services().knowledge_base.create(request.tenant(), body.changes()))

    return request.idempotent_post(201, compute)


@router.get("/knowledge-base/entries", tags=TAGS, summary="The tenant's knowledge-base entries")
def list_entries() -> dict:
    request.require(*READERS, scopes=(ApiKeyScope.ADMIN,))
    return {"items": [_view(e) for e in services().knowledge_base.list(request.tenant())]}


@router.get("/knowledge-base/entries/<entry_id>", tags=TAGS, summary="A knowledge-base entry")
def get_entry(entry_id: EntryId) -> Response[dict]:
    request.require(*READERS, scopes=(ApiKeyScope.ADMIN,))
    entry = services().knowledge_base.get(request.tenant(), entry_id)
    return json_response(200, _view(entry), _etag(entry))


@router.put("/knowledge-base/entries/<entry_id>", tags=TAGS,
            summary="Replace a knowledge-base entry's questions, answers, tags and flag (If-Match)")
def replace_entry(entry_id: EntryId, body: EntryRequest) -> Response[dict]:
    _editor()
    entry = services().knowledge_base.replace(request.tenant(), entry_id, body.changes(), request.if_match())
    return json_response(200, _view(entry), _etag(entry))


@router.delete("/knowledge-base/entries/<entry_id>", tags=TAGS, summary="Delete a knowledge-base entry",
               responses={204: {"description": "Deleted", "content": {}}})
def delete_entry(entry_id: EntryId) -> Response[None]:
    _editor()
    services().knowledge_base.delete(request.tenant(), entry_id)
    return Response(status_code=204)


@router.post("/knowledge-base/try", tags=TAGS,
             summary="What the bot would do with a message on a ticket (nothing is written or sent)")
def try_message(body: TryRequest) -> dict:
    request.require(*READERS)
    answers = services().answers
    if answers is None:
        raise Unavailable("answers.not_configured")
    ticket = services().tickets.get(request.tenant(), body.ticket_id, request.actor())
    decision = answers.decide(request.tenant(), ticket, body.text)
    return {"ticket_id": ticket.id, "answered": decision.answered, "intent": decision.intent,
            "confidence": decision.confidence, "reason": decision.reason, "locale": decision.locale,
            "suggested_answer": decision.suggested.body if decision.suggested else None}
