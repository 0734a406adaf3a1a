"""Ports that build the context behind them on first use, so a context is built only when
another actually calls into it (the container passes these instead of the context itself)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aftersales.channels.ports import BotGuess, ConversationItem
    from aftersales.disputes.model import Dispute, PlatformCase
    from aftersales.logistics.ports import Parcel, Registration
    from aftersales.media.service import NearDuplicate, Shown
    from aftersales.repairs.photos import VisitPhotoGrant
    from aftersales.repairs.ports import JobClock
    from aftersales.risk.service import ReviewCluster
    from aftersales.sentiment.model import SentimentResult
    from aftersales.wiring import Container


class LazyAnswers:
    """The channels context's InboundAnswers: the automatic answers, built at the first customer
    message on a ticket (nothing happens where the function cannot build them)."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def consider(self, tenant_id: str, ticket_id: str, text: str) -> BotGuess | None:
        answers = self.container.answers
        return answers.consider(tenant_id, ticket_id, text) if answers is not None else None

    def respond(self, tenant_id: str, message: ConversationItem, guess: BotGuess) -> None:
        answers = self.container.answers
        if answers is not None:
            answers.respond(tenant_id, message, guess)


class LazyTimeoutApprovals:
    """The SLA engine's TimeoutApprover: the approvals context, built when first needed."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def approve_on_timeout(self, tenant_id: str, ticket_id: str, reason: str, data: dict[str, object]) -> object:
        return self.container.approvals.approve_on_timeout(tenant_id, ticket_id, reason, data)


class LazyEvidenceMedia:
    """The tickets context's EvidenceMedia: the media context, built when a ticket first names media."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def check_evidence(self, tenant_id: str, customer_id: str, media_ids: list[str]) -> None:
        self.container.media.check_evidence(tenant_id, customer_id, media_ids)


class LazyReviewMedia:
    """The reviews context's ReviewMedia: the media context, built when a review first names media."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def check_review_media(self, tenant_id: str, customer_id: str, media_ids: list[str]) -> None:
        self.container.media.check_review_media(tenant_id, customer_id, media_ids)

    def show_review_media(self, tenant_id: str, media_ids: Sequence[str]) -> list[Shown]:
        return self.container.media.show_review_media(tenant_id, media_ids)


class LazyReviewPhotos:
    """The review moderation's PhotoCopies: the media context, built when a review first has photos."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def near_duplicates(self, tenant_id: str, media_id: str, *, other_customers_only: bool = True
                        ) -> list[NearDuplicate]:
        return self.container.media.near_duplicates(tenant_id, media_id, other_customers_only=other_customers_only)


class LazyReviewClusters:
    """The review moderation's ReviewClusters: the risk counters, built when a review first has risk keys."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def record_review(self, tenant_id: str, *, review_id: str, account_id: str, sku: str, rating: int,
                      written_at: datetime, keys: Mapping[str, str], now: datetime | None = None) -> ReviewCluster:
        return self.container.risk.record_review(tenant_id, review_id=review_id, account_id=account_id, sku=sku,
                                                 rating=rating, written_at=written_at, keys=keys, now=now)


class LazyPlatformRefunds:
    """Channels settle a refund the platform (Douyin) already paid through the refunds context."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def settle_by_platform(self, tenant_id: str, ticket_id: str, platform: str) -> object:
        return self.container.refunds.settle_by_platform(tenant_id, ticket_id, platform)


class LazyPlatformDisputes:
    """The disputes context, as a platform's dispute (Stripe chargeback, Douyin arbitration) joins
    the record: built when the first such event arrives, not for every refund or push."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def platform_dispute(self, tenant_id: str, provider: str, case_id: str) -> Dispute | None:
        return self.container.disputes.platform_dispute(tenant_id, provider, case_id)

    def platform_case(self, tenant_id: str, ticket_id: str, case: PlatformCase, *, event_id: str) -> Dispute:
        return self.container.disputes.platform_case(tenant_id, ticket_id, case, event_id=event_id)


class LazyCommentSentiment:
    """The surveys context's sentiment analyser: the review sentiment model, loaded when a comment
    first needs it (the sweeper never does)."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def analyse(self, texts: Sequence[str]) -> list[SentimentResult]:
        return self.container.sentiment.analyse(texts)


class LazyParkedArrivals:
    """A new order replays what channels parked for it; the channels context is built only then."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def order_arrived(self, tenant_id: str, order_id: str) -> list[object]:
        return list(self.container.channels.arrivals.order_arrived(tenant_id, order_id))


class LazyRepairProviders:
    """The money path's RepairProviders: the repairs context, built when an approved repair finds no
    provider in the tenant's configuration."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def first_eligible_provider(self, tenant_id: str, *, country: str, brands: set[str]) -> str | None:
        return self.container.repairs.first_eligible_provider(tenant_id, country=country, brands=brands)


class LazyRepairRedispatch:
    """The SLA engine's RepairRedispatcher: the repairs context, built when a repair job's deadline
    calls for its re-dispatch."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def redispatch_overdue(self, tenant_id: str, ticket_id: str, *, metric: str, since: datetime) -> str:
        return self.container.repairs.redispatch_overdue(tenant_id, ticket_id, metric=metric, since=since)


class LazyRepairParcels:
    """The logistics context's RepairParcelFollower: the repairs context, built when a carrier event
    reaches a repair parcel."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def parcel_progressed(self, tenant_id: str, job_id: str, *, tracking_number: str, direction: str,
                          status: str) -> list[str]:
        return self.container.repairs.parcel_progressed(tenant_id, job_id, tracking_number=tracking_number,
                                                        direction=direction, status=status)


class LazyRepairClocks:
    """The repairs context's RepairClocks: the SLA engine's repair clocks, built when a provider
    first reads its jobs."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def repair_clocks(self, tenant_id: str, ticket_ids: list[str]) -> dict[str, list[JobClock]]:
        from aftersales.repairs.ports import JobClock
        from aftersales.sla.repair_targets import REPAIR_METRICS

        return {ticket_id: [JobClock(metric=s.deadline.metric, started_at=s.deadline.started_at,
                                     due_at=s.deadline.due_at) for s in states if s.deadline.metric in REPAIR_METRICS]
                for ticket_id, states in self.container.sla.clocks(tenant_id, ticket_ids).items()}


class LazyJobParcels:
    """The repairs context's JobParcels: the logistics context, built when a job first records a parcel."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def parcel(self, tenant_id: str, tracking_number: str) -> Parcel:
        return self.container.logistics.parcel(tenant_id, tracking_number)

    def register(self, tenant_id: str, tracking_number: str, registration: Registration
                 ) -> tuple[Parcel, list[str]]:
        return self.container.logistics.register(tenant_id, tracking_number, registration)


class LazyVisitPhotos:
    """The repairs context's VisitPhotos and VisitPhotoChecks: the media context, built when a job's
    visit photo is first asked for or named by a check-in."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def grant(self, tenant_id: str, *, job_id: str, uploaded_by: str, content_type: str, size: int,
              redirect: str | None) -> VisitPhotoGrant:
        from aftersales.repairs.photos import VisitPhotoGrant

        granted = self.container.media.request_visit_photo(tenant_id, job_id=job_id, uploaded_by=uploaded_by,
                                                           content_type=content_type, size=size, redirect=redirect)
        return VisitPhotoGrant(media_id=granted.item.id, url=granted.upload.url, fields=granted.upload.fields,
                               expires_in=granted.upload.expires_in)

    def check_visit_photos(self, tenant_id: str, job_id: str, media_ids: list[str]) -> None:
        self.container.media.check_visit_photos(tenant_id, job_id, media_ids)


class LazyEvidenceTickets:
    """The media context's EvidenceTickets: the tickets context, built when a checked upload names a
    ticket. The ticket's customer attaches it (the tickets context checks it is theirs and ready)."""

    def __init__(self, container: Container) -> None:
        self.container = container

    def attach_evidence(self, tenant_id: str, ticket_id: str, customer_id: str, media_id: str) -> None:
        from aftersales.tickets.domain import Actor
        from aftersales.tickets.model import Role

        customer = Actor(id=customer_id, roles=frozenset({Role.CUSTOMER}), customer_id=customer_id)
        self.container.tickets.attach_media(tenant_id, ticket_id, [media_id], customer)
