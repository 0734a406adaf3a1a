"""Evidence pack use cases: gather everything about a disputed ticket through the ports, build the
one-click ZIP (evidence_pack.build), and send its evidence to the payment platform that opened
the case (Stripe), recording what was sent on the dispute (DisputeService.record_evidence_sent).

Who: the pack holds the customer's messages and photos, so only arbitrators, admins and
supervisors build it (403 otherwise; 404 when the dispute is not theirs to see); only arbitrators
and admins send it, once per case when submitting.
"""

from __future__ import annotations

from collections.abc import Mapping

from aftersales.core.clock import Clock
from aftersales.core.errors import Conflict, Forbidden
from aftersales.disputes import domain
from aftersales.disputes.evidence_pack import build
from aftersales.disputes.model import Dispute
from aftersales.disputes.pack_model import (
    EvidencePack,
    Gathered,
    Message,
    ParcelTrace,
    Photo,
    RefundVoucher,
    TracePoint,
)
from aftersales.disputes.pack_ports import (
    AppliedPolicies,
    ConversationRecords,
    EvidenceFile,
    EvidenceSubmission,
    PackDisputes,
    PackMedia,
    PackTickets,
    ParcelRecords,
    PlatformEvidence,
    RefundRecords,
    SentEvidence,
    SummaryRenderer,
)
from aftersales.disputes.pack_summary import (
    conversation_document,
    language_of,
    platform_statement,
    policy_document,
    summary,
)
from aftersales.logistics.events import Checkpoint, Place
from aftersales.tickets.audit import AuditEntry
from aftersales.tickets.domain import Actor, Ticket
from aftersales.tickets.model import Role

READER = Actor(id="system:evidence-pack", roles=frozenset({Role.SYSTEM}))
BUILDERS = domain.ARBITERS | {Role.SUPERVISOR}
MAX_PHOTOS = 60  # 9 per submission x (the ticket + MAX_EVIDENCE submissions) is the bound upstream; keep the ZIP sane
INSPECTION_EVENTS = frozenset({"ticket.inspection_passed", "ticket.inspection_failed"})
PLATFORM_LANGUAGE = "en"  # what goes to a payment platform (the issuing bank reads it)
TEXT_LIMIT = 20_000  # Stripe's per-field limit on text evidence


class EvidencePackService:
    def __init__(self, disputes: PackDisputes, tickets: PackTickets, conversations: ConversationRecords,
                 parcels: ParcelRecords, refunds: RefundRecords, media: PackMedia, policies: AppliedPolicies,
                 renderer: SummaryRenderer, clock: Clock,
                 platforms: Mapping[str, PlatformEvidence] | None = None) -> None:
        self._disputes = disputes
        self._tickets = tickets
        self._conversations = conversations
        self._parcels = parcels
        self._refunds = refunds
        self._media = media
        self._policies = policies
        self._renderer = renderer
        self._clock = clock
        self._platforms = dict(platforms or {})

    def build(self, tenant_id: str, dispute_id: str, actor: Actor) -> EvidencePack:
        return build(self.gather(tenant_id, dispute_id, actor), self._renderer)

    def gather(self, tenant_id: str, dispute_id: str, actor: Actor) -> Gathered:
        if not actor.roles & BUILDERS:
            raise Forbidden("error.role_not_permitted", required=sorted(r.value for r in BUILDERS))
        dispute = self._disputes.get(tenant_id, dispute_id, actor)
        ticket = self._tickets.get(tenant_id, dispute.ticket_id, READER)
        entries = self._tickets.audit(tenant_id, dispute.ticket_id, READER)
        photos, missing = self._photos(tenant_id, ticket, entries, dispute)
        return Gathered(
            dispute=dispute, ticket=ticket, ticket_entries=entries,
            messages=sorted((Message(at=m.at, channel=m.channel, direction=m.direction, author=m.author,
                                     body=m.body, subject=m.subject)
                             for m in self._conversations.list(tenant_id, ticket.id)), key=lambda m: m.at),
            parcels=[self._trace(tenant_id, number) for number in tracking_numbers(entries)],
            refunds=self._vouchers(tenant_id, ticket.id), photos=photos, missing_media=missing,
            policy=self._policies.applied(tenant_id, ticket), generated_at=self._clock.now())

    def send_to_platform(self, tenant_id: str, dispute_id: str, actor: Actor, *, submit: bool
                         ) -> tuple[Dispute, SentEvidence]:
        """Stage (`submit=False`) or submit the pack's evidence on the platform's case, then record
        on the dispute which fields were sent. A retry of the same send reuses the idempotency key."""
        if not actor.roles & domain.ARBITERS:
            raise Forbidden("error.role_not_permitted", required=sorted(r.value for r in domain.ARBITERS))
        gathered = self.gather(tenant_id, dispute_id, actor)
        dispute, case = gathered.dispute, gathered.dispute.platform
        if case is None:
            raise Conflict("disputes.not_a_platform_case")
        if case.submitted:
            raise Conflict("disputes.evidence_already_submitted", case_id=case.case_id)
        platform = self._platforms.get(case.provider)
        if platform is None:
            raise Conflict("disputes.platform_not_connected", provider=case.provider)
        pack = build(gathered, self._renderer)
        sent = platform.send(case, self.submission(gathered, pack), submit=submit,
                             idempotency_key=f"{dispute.id}-evidence-v{dispute.version}-{int(submit)}")
        recorded = self._disputes.record_evidence_sent(tenant_id, dispute_id, actor, submit=submit,
                                                       fields=sent.fields)
        return recorded, sent

    def submission(self, gathered: Gathered, pack: EvidencePack) -> EvidenceSubmission:
        """The platform's evidence fields from the pack (Stripe's names), in English for the card
        networks' reviewers: the summary PDF as the uncategorized file, the conversation as a PDF,
        the policy as a PDF and its disclosure, the outbound parcels' tracking numbers and carriers
        (return parcels are in the statement only), and a plain statement. Photos stay in the ZIP."""
        english = pack.summary_pdf if language_of(gathered.ticket.locale) == PLATFORM_LANGUAGE else \
            self._renderer.render(summary(gathered, PLATFORM_LANGUAGE))
        files = [EvidenceFile("uncategorized_file", f"summary-{gathered.dispute.id}.pdf", "application/pdf", english)]
        if gathered.messages:
            files.append(EvidenceFile("customer_communication", f"conversation-{gathered.dispute.id}.pdf",
                                      "application/pdf", self._renderer.render(conversation_document(gathered))))
        texts = {"uncategorized_text": platform_statement(gathered)[:TEXT_LIMIT]}
        if gathered.policy is not None:
            files.append(EvidenceFile("refund_policy", f"policy-{gathered.policy.version}.pdf", "application/pdf",
                                      self._renderer.render(policy_document(gathered))))
            texts["refund_policy_disclosure"] = (
                f"{gathered.policy.name}, version {gathered.policy.version}")[:TEXT_LIMIT]
        outbound = [p for p in gathered.parcels if p.direction == "outbound"]  # a return proves no delivery
        if outbound:
            texts["shipping_tracking_number"] = ",".join(p.tracking_number for p in outbound)
            carriers = sorted({p.carrier for p in outbound if p.carrier})
            if carriers:
                texts["shipping_carrier"] = ",".join(carriers)
        return EvidenceSubmission(texts=texts, files=tuple(files))

    # ------------------------------------------------------------------ gathering
    def _trace(self, tenant_id: str, tracking_number: str) -> ParcelTrace:
        parcel = self._parcels.get(tenant_id, tracking_number)
        events = self._parcels.events(tenant_id, tracking_number)
        seen: dict[tuple[str, str], TracePoint] = {}
        carrier = parcel.registration.carrier if parcel and parcel.registration else None
        for stored in events:
            carrier = carrier or stored.event.carrier
            for point in stored.event.checkpoints:
                seen.setdefault((point.at.isoformat(), point.message), _point(point))
        return ParcelTrace(
            tracking_number=tracking_number, carrier=carrier,
            direction=parcel.registration.direction if parcel and parcel.registration else None,
            status=parcel.state.status.value if parcel else "not_tracked",
            status_at=parcel.state.status_at if parcel else None,
            checkpoints=tuple(sorted(seen.values(), key=lambda p: p.at)))

    def _vouchers(self, tenant_id: str, ticket_id: str) -> list[RefundVoucher]:
        vouchers = []
        for grant in sorted(self._refunds.grants(tenant_id, ticket_id), key=lambda g: (g.granted_at, g.grant_id)):
            attempts = self._refunds.attempts(tenant_id, ticket_id, grant.grant_id)
            latest = max(attempts, key=lambda a: a.attempt_number, default=None)
            vouchers.append(RefundVoucher(
                grant_id=grant.grant_id, payment_ref=grant.payment_ref, destination=grant.destination.value,
                amount=grant.amount, granted_at=grant.granted_at,
                status=latest.status.value if latest else "granted",
                provider_refund_id=latest.provider_refund_id if latest else None,
                settled_by_platform=grant.settled_by_platform))
        return vouchers

    def _photos(self, tenant_id: str, ticket: Ticket, entries: list[AuditEntry], dispute: Dispute
                ) -> tuple[list[Photo], list[str]]:
        wanted: dict[str, str] = {}
        for media_id in [*ticket.media_ids, *(m for e in dispute.evidence for m in e.media_ids)]:
            wanted.setdefault(media_id, "customer")
        for entry in entries:
            if entry.event in INSPECTION_EVENTS:
                for media_id in entry.data.get("media_ids") or ():
                    wanted.setdefault(str(media_id), "inspection")
        photos, missing = [], list(wanted)[MAX_PHOTOS:]  # past the bound: listed, never silently dropped
        for media_id, kind in list(wanted.items())[:MAX_PHOTOS]:
            content = self._media.read(tenant_id, media_id)
            if content is None:
                missing.append(media_id)
            else:
                photos.append(Photo(media_id=media_id, kind=kind, content_type=content.content_type,
                                    content=content.content))
        return photos, missing


def tracking_numbers(entries: list[AuditEntry]) -> list[str]:
    """The parcels the ticket's audit chain names (return shipments, reshipments), in order, once each."""
    numbers: dict[str, None] = {}
    for entry in entries:
        number = entry.data.get("tracking_number")
        if isinstance(number, str) and number:
            numbers.setdefault(number, None)
    return list(numbers)


def _point(checkpoint: Checkpoint) -> TracePoint:
    return TracePoint(at=checkpoint.at, message=checkpoint.message, place=_place(checkpoint.place),
                      status=checkpoint.raw_status)


def _place(place: Place | None) -> str | None:
    if place is None:
        return None
    return place.text or ", ".join(p for p in (place.city, place.state, place.country) if p) or None
