"""Moderation settings routes: the tenant's lexicon (its terms with mode and severity, its allow-list,
which shipped lists apply) and its verdict tuning, one versioned document. Published (with the
verdict policy in force), versions, draft with If-Match, a trial of the draft on a text, publish,
roll back. Supervisors and admins only: the terms are the tenant's moderation rules."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import ConfigDict, Field, StrictBool

from aftersales.core.drafts import MAX_VERSION, RollBack
from aftersales.core.model import DomainModel
from aftersales.http.context import RequestContext, json_response
from aftersales.moderation.lexicon import Lexicon
from aftersales.moderation.service import MAX_TEXT
from aftersales.moderation.verdict import Signals
from aftersales.tickets.model import Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)
EDITORS = (Role.SUPERVISOR, Role.ADMIN)


class TrialRequest(DomainModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=MAX_TEXT)
    signals: Signals = Field(default_factory=Signals, description="What is known of the reviewer (defaults: none)")
    published: StrictBool = Field(default=False, description="Try the published settings instead of the draft")


def _moderation():
    return services().moderation


def _view(lexicon: Lexicon, revision: int | None = None) -> dict[str, Any]:
    return {"lexicon": lexicon.model_dump(mode="json"), "revision": revision}


@router.get("/moderation/lexicons", tags=["moderation settings"],
            summary="The published lexicon and verdict tuning (or the defaults), with the verdict policy in force")
def get_published() -> dict:
    request.require(*EDITORS)
    tenant = request.tenant()
    return {**_view(_moderation().lexicon(tenant)), "policy": _moderation().policy(tenant).model_dump(mode="json")}


@router.get("/moderation/lexicons/versions", tags=["moderation settings"],
            summary="The published version numbers, newest first")
def list_versions(limit: Annotated[int, Query(ge=1, le=100)] = 50) -> dict:
    request.require(*EDITORS)
    tenant = request.tenant()
    return {"published": _moderation().lexicon(tenant).version,
            "versions": _moderation().lexicon_versions(tenant, limit)}


@router.get("/moderation/lexicons/versions/<version>", tags=["moderation settings"], summary="One published version")
def get_version(version: Annotated[int, Path(ge=0, le=MAX_VERSION)]) -> dict:
    request.require(*EDITORS)
    return _view(_moderation().lexicon_version(request.tenant(), version))


@router.get("/moderation/lexicons/draft", tags=["moderation settings"], summary="The draft (ETag = revision)")
def get_draft() -> Response[dict]:
    request.require(*EDITORS)
    lexicon, revision = _moderation().draft(request.tenant())
    return json_response(200, _view(lexicon, revision), {"ETag": f'"{revision}"'})


@router.put("/moderation/lexicons/draft", tags=["moderation settings"],
            summary="Replace the draft (terms, allow-list, shipped lists, verdict tuning); If-Match = revision")
def put_draft(body: dict[str, Any]) -> Response[dict]:
    request.require(*EDITORS)
    lexicon, revision = _moderation().put_draft(request.tenant(), body, request.if_match())
    return json_response(200, _view(lexicon, revision), {"ETag": f'"{revision}"'})


@router.post("/moderation/lexicons/draft/trial", tags=["moderation settings"],
             summary="What the draft (or the published settings) would decide on a text; nothing is stored")
def trial(body: TrialRequest) -> dict:
    request.require(*EDITORS)
    result = _moderation().trial(request.tenant(), body.text, body.signals, draft=not body.published)
    kept = result.to_json()
    return {key: kept[key] for key in ("status", "reasons", "scores", "findings", "lexicon_version")}


@router.post("/moderation/lexicons/publish", tags=["moderation settings"], summary="Publish the draft as a new version")
def publish() -> Response[dict]:
    request.require(*EDITORS)
    return request.idempotent_post(200, lambda: _view(_moderation().publish(request.tenant())))


@router.post("/moderation/lexicons/rollback", tags=["moderation settings"],
             summary="Publish a copy of an earlier version (0: the shipped defaults) as the next version")
def roll_back(body: RollBack) -> Response[dict]:
    request.require(*EDITORS)
    return request.idempotent_post(200, lambda: _view(_moderation().roll_back(request.tenant(), body.version)))
