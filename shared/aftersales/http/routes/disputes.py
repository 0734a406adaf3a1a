"""Dispute routes: a customer (or the storefront on the customer's behalf) disputes a ticket's
decision, adds evidence, appeals once or withdraws; arbitrators read their queue, take a dispute
up, ask for evidence and decide it. Who may do what, and separation of duties (403), is the
disputes domain's; these routes read the request, call one use case and render the dispute."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import ConfigDict, Field, StrictBool

from aftersales.core.model import DomainModel
from aftersales.core.money import Money
from aftersales.core.text import free_text
from aftersales.disputes import domain
from aftersales.disputes.model import (
    MAX_MEDIA,
    MAX_REASON,
    MAX_TEXT,
    Dispute,
    DisputeStatus,
    Outcome,
    Remedy,
    Source,
    Subject,
)
from aftersales.http.context import CURSOR_MAX_LENGTH, RequestContext, json_response
from aftersales.orders.domain import Identifier
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import STAFF_ROLES, Role
from aftersales.wiring import services

router = Router()
request = RequestContext(router)

CUSTOMER_SIDE = (Role.CUSTOMER, Role.STOREFRONT)
ARBITERS = (Role.ARBITRATOR, Role.ADMIN)
DisputeId = Annotated[str, Path(min_length=1, max_length=128)]
TicketId = Annotated[str, Path(min_length=1, max_length=128)]
MediaIds = Annotated[list[Identifier], Field(default_factory=list, max_length=MAX_MEDIA,
                                             description="The customer's own ready evidence media (POST /media)")]


# ---------------------------------------------------------------------- bodies
class Strict(DomainModel):
    model_config = ConfigDict(extra="forbid")


class RaiseDisputeRequest(Strict):
    text: free_text(MAX_TEXT, min_length=1) = Field(description="What the customer contests, and why")
    media_ids: MediaIds


class EvidenceRequest(Strict):
    text: free_text(MAX_TEXT, min_length=1) | None = None
    media_ids: MediaIds


class AppealRequest(Strict):
    text: free_text(MAX_TEXT, min_length=1) = Field(description="Why the decision is wrong")
    media_ids: MediaIds


class WithdrawRequest(Strict):
    reason: free_text(MAX_REASON, min_length=1) | None = None


class AskEvidenceRequest(Strict):
    reason: free_text(MAX_REASON, min_length=1) = Field(description="What the customer is asked to show")


class DisputeDecisionRequest(Strict):
    outcome: Outcome = Field(description="upheld: in the customer's favour; dismissed: the decision stands")
    reason: free_text(MAX_REASON, min_length=1)


# ---------------------------------------------------------------------- views
class EvidenceView(DomainModel):
    by: str
    role: str
    text: str | None
    media_ids: list[str]
    at: datetime


class DecisionView(DomainModel):
    outcome: Outcome
    reason: str
    remedy: Remedy = Field(description="What the decision did to the ticket (the remedy follows the ticket's "
                                       "state: a rejected ticket goes back to approval; nothing is paid here)")
    on_appeal: bool
    by: str | None = Field(description="The arbitrator (staff only)")
    at: datetime


class PlatformCaseView(DomainModel):
    provider: str
    case_id: str
    status: str
    amount: Money
    reason: str | None
    evidence_due_by: datetime | None
    submitted: bool


class DisputeView(DomainModel):
    id: str
    ticket_id: str
    order_id: str
    customer_id: str
    source: Source
    subject: Subject
    status: DisputeStatus
    version: int
    raised_at: datetime
    text: str | None
    evidence: list[EvidenceView]
    assignee_id: str | None
    due_at: datetime | None = Field(description="When the current state's SLA runs out (none once closed)")
    decisions: list[DecisionView]
    appeals: int
    platform: PlatformCaseView | None = Field(description="The payment platform's case (staff only)")
    ticket_deciders: list[str] | None = Field(description="Who decided the ticket, barred from arbitrating "
                                                          "it (staff only)")
    entries: list[AuditEntry] | None = Field(description="The hash-chained audit entries (staff only)")
    updated_at: datetime
    next: list[dict] = Field(description="Moves allowed from here, and whether the caller may take them")


class DisputeList(DomainModel):
    items: list[DisputeView]


class DisputePage(DomainModel):
    items: list[DisputeView]
    next_cursor: str | None


def dispute_view(dispute: Dispute, who: Actor) -> DisputeView:
    staff = bool(who.roles & (STAFF_ROLES | {Role.SYSTEM}))
    platform = dispute.platform
    return DisputeView(
        **dispute.model_dump(include={"id", "ticket_id", "order_id", "customer_id", "source", "subject", "status",
                                      "version", "raised_at", "text", "assignee_id", "due_at", "appeals",
                                      "updated_at"}),
        evidence=[EvidenceView(**e.model_dump()) for e in dispute.evidence],
        decisions=[DecisionView(**d.model_dump(exclude={"by", "role"}), by=d.by if staff else None)
                   for d in dispute.decisions],
        platform=PlatformCaseView(**platform.model_dump(include=set(PlatformCaseView.model_fields)))
        if platform and staff else None,
        ticket_deciders=list(dispute.ticket_deciders) if staff else None,
        entries=list(dispute.entries) if staff else None,
        next=domain.allowed(dispute, who))


def _etag(dispute: Dispute) -> dict[str, str]:
    return {"ETag": f'"{dispute.version}"'}


# ---------------------------------------------------------------------- the customer's side
@router.post("/tickets/<ticket_id>/disputes", tags=["disputes"], status_code=201,
             summary="Dispute the ticket's decision (the customer, or the storefront on the customer's behalf)")
def raise_dispute(ticket_id: TicketId, body: RaiseDisputeRequest) -> Response[DisputeView]:
    request.require(*CUSTOMER_SIDE)
    who = request.actor()
    return request.idempotent_post(201, lambda: dispute_view(services().disputes.raise_dispute(
        request.tenant(), ticket_id, who, text=body.text, media_ids=body.media_ids), who))


@router.get("/tickets/<ticket_id>/disputes", tags=["disputes"], summary="The ticket's disputes, oldest first")
def ticket_disputes(ticket_id: TicketId) -> DisputeList:
    who = request.actor()
    found = services().disputes.for_ticket(request.tenant(), ticket_id, who)
    return DisputeList(items=[dispute_view(d, who) for d in found])


@router.get("/disputes/<dispute_id>", tags=["disputes"],
            summary="A dispute: its customer, the storefront and staff (404 for anyone else)")
def get_dispute(dispute_id: DisputeId) -> Response[DisputeView]:
    who = request.actor()
    dispute = services().disputes.get(request.tenant(), dispute_id, who)
    return json_response(200, dispute_view(dispute, who), _etag(dispute))


@router.post("/disputes/<dispute_id>/evidence", tags=["disputes"],
             summary="Add evidence (the customer's side): answers a request for it, or adds to an open dispute")
def add_evidence(dispute_id: DisputeId, body: EvidenceRequest) -> Response[DisputeView]:
    who, expected = request.actor(), request.if_match()
    return request.idempotent_post(200, lambda: dispute_view(services().disputes.add_evidence(
        request.tenant(), dispute_id, who, text=body.text, media_ids=body.media_ids,
        expected_version=expected), who))


@router.post("/disputes/<dispute_id>/appeal", tags=["disputes"],
             summary="Appeal the decision, once, within 14 days (the customer's side; decided by another arbitrator)")
def appeal(dispute_id: DisputeId, body: AppealRequest) -> Response[DisputeView]:
    who, expected = request.actor(), request.if_match()
    return request.idempotent_post(200, lambda: dispute_view(services().disputes.appeal(
        request.tenant(), dispute_id, who, text=body.text, media_ids=body.media_ids,
        expected_version=expected), who))


@router.post("/disputes/<dispute_id>/withdraw", tags=["disputes"],
             summary="Close the dispute: the customer's side withdraws it before a decision; after one, "
                     "the customer's side or an arbitrator closes it")
def withdraw(dispute_id: DisputeId, body: WithdrawRequest) -> Response[DisputeView]:
    who, expected = request.actor(), request.if_match()
    return request.idempotent_post(200, lambda: dispute_view(services().disputes.close(
        request.tenant(), dispute_id, who, reason=body.reason, expected_version=expected), who))


# ---------------------------------------------------------------------- arbitration
@router.get("/disputes", tags=["disputes"],
            summary="The arbitrators' queue: disputes in a status, the soonest due first (arbitrator, admin)")
def dispute_queue(status: Annotated[DisputeStatus, Query()] = DisputeStatus.RAISED,
                  limit: Annotated[int, Query(ge=1, le=100)] = 50,
                  cursor: Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH)] = None) -> DisputePage:
    request.require(*ARBITERS)
    who = request.actor()
    listing = request.listing("disputes", status.value)
    page = services().disputes.queue(request.tenant(), status, limit=limit, cursor=listing.position(cursor))
    return DisputePage(items=[dispute_view(d, who) for d in page.items], next_cursor=listing.cursor(page.cursor))


@router.post("/disputes/<dispute_id>/take-up", tags=["disputes"],
             summary="Take the dispute (or its appeal) up: under review, assigned to the caller "
                     "(never a decider of the ticket: 403)")
def take_up(dispute_id: DisputeId) -> Response[DisputeView]:
    request.require(*ARBITERS)
    who, expected = request.actor(), request.if_match()
    return request.idempotent_post(200, lambda: dispute_view(services().disputes.take_up(
        request.tenant(), dispute_id, who, expected_version=expected), who))


@router.post("/disputes/<dispute_id>/request-evidence", tags=["disputes"],
             summary="Ask the customer for evidence (awaiting_evidence, 7 days)")
def request_evidence(dispute_id: DisputeId, body: AskEvidenceRequest) -> Response[DisputeView]:
    request.require(*ARBITERS)
    who, expected = request.actor(), request.if_match()
    return request.idempotent_post(200, lambda: dispute_view(services().disputes.request_evidence(
        request.tenant(), dispute_id, who, reason=body.reason, expected_version=expected), who))


@router.post("/disputes/<dispute_id>/decision", tags=["disputes"],
             summary="Decide the dispute: upheld applies the remedy through the ticket (a rejected ticket goes "
                     "back to approval; nothing is paid here), dismissed leaves it as it is")
def decide(dispute_id: DisputeId, body: DisputeDecisionRequest) -> Response[DisputeView]:
    request.require(*ARBITERS)
    who, expected = request.actor(), request.if_match()
    return request.idempotent_post(200, lambda: dispute_view(services().disputes.decide(
        request.tenant(), dispute_id, who, outcome=body.outcome, reason=body.reason,
        expected_version=expected), who))


# ---------------------------------------------------------------------- the evidence pack
PACK_READERS = (Role.ARBITRATOR, Role.ADMIN, Role.SUPERVISOR)
ZIP = "application/zip"


class SendEvidenceRequest(Strict):
    submit: StrictBool = Field(description="true: submit to the bank (once, final); "
                                           "false: stage the evidence on the case")


class SentEvidenceView(DomainModel):
    case_id: str
    fields: list[str] = Field(description="The platform's evidence fields that were set")
    file_ids: dict[str, str] = Field(description="Evidence field -> the platform's file id")
    submitted: bool
    status: str = Field(description="The platform case's status after the update")


class EvidenceSentView(DomainModel):
    dispute: DisputeView
    sent: SentEvidenceView


@router.get("/disputes/<dispute_id>/evidence-pack", tags=["disputes"],
            summary="The dispute's evidence pack, one ZIP: summary.pdf (the ticket's language), the conversation, "
                    "the parcels' checkpoints, refund vouchers, customer and inspection photos, the policy that "
                    "applied, both audit chains with their verification, and manifest.json with every file's SHA-256 "
                    "(arbitrators, admins, supervisors)",
            responses={200: {"description": "The evidence pack (evidence-<dispute id>.zip)",
                             "content": {ZIP: {"schema": {"type": "string", "format": "binary"}}}}})
def evidence_pack(dispute_id: DisputeId):  # no return annotation: the validator leaves a non-JSON body as it is
    request.require(*PACK_READERS)
    pack = services().evidence_packs.build(request.tenant(), dispute_id, request.actor())
    return Response(status_code=200, content_type=ZIP, body=pack.content,
                    headers={"Content-Disposition": f'attachment; filename="{pack.filename}"',
                             "Cache-Control": "no-store"})


@router.post("/disputes/<dispute_id>/evidence-pack/submit", tags=["disputes"],
             summary="Send the pack's evidence to the payment platform's case (Stripe): staged, or submitted to the "
                     "bank once (409: not a platform case, already submitted, or no account connected; 422: the "
                     "platform refused it; 503: the platform is unreachable, retry)")
def send_evidence_pack(dispute_id: DisputeId, body: SendEvidenceRequest) -> Response[EvidenceSentView]:
    request.require(*ARBITERS)
    who = request.actor()

    def send() -> EvidenceSentView:
        dispute, sent = services().evidence_packs.send_to_platform(request.tenant(), dispute_id, who,
                                                                   submit=body.submit)
        return EvidenceSentView(dispute=dispute_view(dispute, who), sent=SentEvidenceView(
            case_id=sent.case_id, fields=list(sent.fields), file_ids=dict(sent.file_ids), submitted=sent.submitted,
            status=sent.status))

    return request.idempotent_post(200, send)
