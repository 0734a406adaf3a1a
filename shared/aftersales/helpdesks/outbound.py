"""Our ticket changes into the tenant's helpdesks: one attempt per change, the first one inline
when the domain event arrives, later ones through the sync queue.

A change is done once (its key is marked after the vendor took it); a vendor's 429 comes back
after its Retry-After, other faults after the backoff below, and a change out of attempts or
refused for good (401, 403, 404, 422) is parked in the DLQ with its reason. A change for a ticket
whose vendor ticket does not exist yet (its create still queued) waits like a fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools import Logger

from aftersales.channels.ports import ConversationStore, IntegrationSettings
from aftersales.core.clock import Clock
from aftersales.core.errors import NotFound
from aftersales.helpdesks import domain
from aftersales.helpdesks.model import Link, OutboundChange, SyncJob, Vendor, settings_name
from aftersales.helpdesks.ports import HelpdeskApi, HelpdeskApis, HelpdeskFault, LinkStore, NewTicket, SyncQueue
from aftersales.tickets.domain import Actor
from aftersales.tickets.model import Role, Status
from aftersales.tickets.service import TicketService

logger = Logger(child=True)
SYNC = Actor(id="system:helpdesks", roles=frozenset({Role.SYSTEM}))
BACKOFF_SECONDS = (10, 30, 120, 600, 900, 900)  # after attempts 1..6; then the DLQ
MAX_DELAY = 900  # SQS's longest DelaySeconds
OUTBOUND_SCOPE = "out"
SUBJECT_LIMIT = 150


@dataclass
class SyncReport:
    results: dict[str, str] = field(default_factory=dict)  # vendor -> what happened


class HelpdeskOutbound:
    def __init__(self, settings: IntegrationSettings, links: LinkStore, apis: HelpdeskApis, queue: SyncQueue,
                 tickets: TicketService, conversations: ConversationStore, clock: Clock) -> None:
        self._settings, self._links, self._apis, self._queue = settings, links, apis, queue
        self._tickets, self._conversations, self._clock = tickets, conversations, clock

    def on_event(self, detail: Mapping[str, Any]) -> SyncReport:
        """A ticket domain event: the change it makes in each helpdesk the tenant configured."""
        report = SyncReport()
        tenant_id = detail.get("tenant_id")
        if not isinstance(tenant_id, str) or not isinstance(detail.get("ticket_id"), str):
            return report
        for vendor in Vendor:
            if self._settings.get(tenant_id, settings_name(vendor)) is None:
                continue
            change = domain.plan(detail, vendor)
            if change is None:
                report.results[vendor.value] = "not_synced" if not domain.came_from(detail.get("data"), vendor) \
                    else "origin_skipped"
                continue
            report.results[vendor.value] = self.attempt(SyncJob(change=change))
        return report

    def attempt(self, job: SyncJob) -> str:
        """One attempt: "done", "duplicate", "retry_queued", "parked" or "not_configured"."""
        change = job.change
        config = self._settings.get(change.tenant_id, settings_name(change.vendor))
        if config is None:
            return "not_configured"
        if not self._links.first_seen(change.tenant_id, OUTBOUND_SCOPE, change.key):
            return "duplicate"
        try:
            self._apply(change, self._apis.for_tenant(change.vendor, config))
        except HelpdeskFault as fault:
            self._links.forget(change.tenant_id, OUTBOUND_SCOPE, change.key)
            return self._later(job, fault)
        except NotFound:  # the ticket is gone: nothing to sync
            self._queue.park(job, "ticket_not_found")
            return "parked"
        except BaseException:
            self._links.forget(change.tenant_id, OUTBOUND_SCOPE, change.key)
            raise
        logger.info("helpdesk change sent", extra={"tenant_id": change.tenant_id, "vendor": change.vendor.value,
                                                   "kind": change.kind, "attempt": job.attempt})
        return "done"

    def _apply(self, change: OutboundChange, api: HelpdeskApi) -> None:
        link = self._links.get(change.tenant_id, change.ticket_id, change.vendor)
        if change.kind == "create":
            if link is None:
                self._create(change, api)
            return
        if link is None:
            raise HelpdeskFault("not_linked_yet")
        if change.kind == "status":
            ours = Status(change.status)
            if link.status_at is not None and change.at <= link.status_at:
                return  # a later status (theirs or ours) is already there
            api.set_status(link.external_id, domain.vendor_status(change.vendor, ours))
            self._save(link, {"status": ours.value, "status_at": change.at})
        elif change.kind == "comment":
            body = self._message_body(change)
            comment_id = api.add_comment(link.external_id, body, public=change.public)
            self._save(link, {"sent_comment_ids": domain.remember(link.sent_comment_ids, [comment_id])})

    def _create(self, change: OutboundChange, api: HelpdeskApi) -> None:
        ticket = self._tickets.get(change.tenant_id, change.ticket_id, SYNC)
        subject = f"[{ticket.type.value}] {ticket.order_id} · {ticket.reason_code}"[:SUBJECT_LIMIT]
        external_id = api.create_ticket(NewTicket(
            ticket_id=ticket.id, subject=subject, description=ticket.description or subject,
            status=domain.vendor_status(change.vendor, ticket.status),
            tags=("aftersales", f"aftersales_{ticket.type.value}", f"aftersales_id_{ticket.id}"),
            requester_ref=ticket.customer_id))
        link = Link(tenant_id=change.tenant_id, ticket_id=ticket.id, vendor=change.vendor, external_id=external_id,
                    status=ticket.status.value, status_at=change.at)
        if not self._links.save(link, 0):
            raise HelpdeskFault("link_conflict")

    def _message_body(self, change: OutboundChange) -> str:
        for item in self._conversations.list(change.tenant_id, change.ticket_id):
            if item.message_id == change.message_id:
                return item.body
        raise HelpdeskFault("message_not_found", retryable=False)

    def _save(self, link: Link, update: dict[str, Any]) -> None:
        for _ in range(3):
            if self._links.save(link.model_copy(update=update), link.version):
                return
            fresh = self._links.get(link.tenant_id, link.ticket_id, link.vendor)
            if fresh is None:
                break
            link = fresh
        raise HelpdeskFault("link_conflict")

    def _later(self, job: SyncJob, fault: HelpdeskFault) -> str:
        extra = {"tenant_id": job.change.tenant_id, "vendor": job.change.vendor.value, "kind": job.change.kind,
                 "attempt": job.attempt, "reason": fault.reason, "status": fault.status}
        if not fault.retryable or job.attempt > len(BACKOFF_SECONDS):
            self._queue.park(job, fault.reason)
            logger.warning("helpdesk change parked", extra=extra)
            return "parked"
        delay = fault.retry_after if fault.retry_after is not None else BACKOFF_SECONDS[job.attempt - 1]
        self._queue.enqueue([SyncJob(change=job.change, attempt=job.attempt + 1)], min(MAX_DELAY, max(0, delay)))
        logger.info("helpdesk change retry queued", extra={**extra, "delay_seconds": delay})
        return "retry_queued"
