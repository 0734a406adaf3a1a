"""Outbound sync on fakes: our tickets into the vendor, rate limits, backoff, the DLQ, idempotency."""

from __future__ import annotations

from aftersales.helpdesks.model import SyncJob, Vendor
from aftersales.helpdesks.outbound import BACKOFF_SECONDS
from aftersales.helpdesks.ports import HelpdeskFault
from aftersales.tickets.model import Status
from tests.support.helpdesks import TENANT, HelpdeskRig
from tests.support.ticket_factories import AGENT, SYSTEM


def _linked(rig: HelpdeskRig, vendor: Vendor = Vendor.ZENDESK) -> str:
    rig.configure(vendor)
    ticket_id = rig.open()
    assert rig.outbound.on_event(rig.event(ticket_id)).results == {vendor.value: "done"}
    return ticket_id


def test_a_new_ticket_is_created_there_with_our_id_and_linked_both_ways():
    rig = HelpdeskRig()
    ticket_id = _linked(rig)
    (kind, new), = rig.apis.apis[Vendor.ZENDESK].calls
    assert kind == "create" and new.ticket_id == ticket_id and f"aftersales_id_{ticket_id}" in new.tags
    assert new.status == "new" and new.requester_ref == "cust-1"
    link = rig.links.get(TENANT, ticket_id, Vendor.ZENDESK)
    assert rig.links.by_external(TENANT, Vendor.ZENDESK, link.external_id) == link


def test_a_tenant_without_a_helpdesk_makes_no_call():
    rig = HelpdeskRig()
    ticket_id = rig.open()
    assert rig.outbound.on_event(rig.event(ticket_id)).results == {}
    assert len(rig.apis) == 0


def test_a_staff_reply_becomes_a_public_comment_and_its_id_is_remembered():
    rig = HelpdeskRig()
    ticket_id = _linked(rig)
    item = rig.replies.post(TENANT, ticket_id, AGENT, "We are on it")
    assert rig.outbound.on_event(rig.event(ticket_id)).results == {"zendesk": "done"}
    kind, (external_id, body, public) = rig.apis.apis[Vendor.ZENDESK].calls[-1]
    link = rig.links.get(TENANT, ticket_id, Vendor.ZENDESK)
    assert (kind, external_id, body, public) == ("comment", link.external_id, item.body, True)
    assert link.sent_comment_ids == ["102"]


def test_a_status_change_is_sent_as_the_vendors_status():
    rig = HelpdeskRig()
    ticket_id = _linked(rig, Vendor.FRESHDESK)
    rig.clock.advance(minutes=1)
    rig.tickets.transition(TENANT, ticket_id, Status.INVESTIGATING, SYSTEM)
    assert rig.outbound.on_event(rig.event(ticket_id)).results == {"freshdesk": "not_synced"}  # still Open (2)
    rig.clock.advance(minutes=1)
    rig.tickets.transition(TENANT, ticket_id, Status.WAITING_CUSTOMER, AGENT)
    assert rig.outbound.on_event(rig.event(ticket_id)).results == {"freshdesk": "done"}
    assert rig.apis.apis[Vendor.FRESHDESK].calls[-1][1][1] == 3
    assert rig.links.get(TENANT, ticket_id, Vendor.FRESHDESK).status == "waiting_customer"


def test_a_redelivered_event_is_sent_once():
    rig = HelpdeskRig()
    ticket_id = _linked(rig)
    assert rig.outbound.on_event(rig.event(ticket_id)).results == {"zendesk": "duplicate"}
    assert len(rig.apis.apis[Vendor.ZENDESK]) == 1


def test_a_429_comes_back_after_its_retry_after_and_then_goes_through():
    rig = HelpdeskRig()
    rig.configure(Vendor.ZENDESK)
    ticket_id = rig.open()
    rig.apis.apis[Vendor.ZENDESK].faults.append(HelpdeskFault("rate_limited", status=429, retry_after=37))
    assert rig.outbound.on_event(rig.event(ticket_id)).results == {"zendesk": "retry_queued"}
    (job, delay), = rig.queue.queued
    assert (delay, job.attempt, job.change.kind) == (37, 2, "create") and ticket_id not in rig.links
    assert rig.outbound.attempt(job) == "done" and ticket_id in rig.links


def test_faults_back_off_then_park_in_the_dlq_and_refusals_park_at_once():
    rig = HelpdeskRig()
    rig.configure(Vendor.ZENDESK)
    ticket_id = rig.open()
    api = rig.apis.apis[Vendor.ZENDESK]
    job = None
    for _ in range(len(BACKOFF_SECONDS) + 1):
        api.faults.append(HelpdeskFault("http_status", status=503))
        result = rig.outbound.on_event(rig.event(ticket_id)).results["zendesk"] if job is None \
            else rig.outbound.attempt(job)
        if rig.queue.queued:
            job, _ = rig.queue.queued.pop()
    assert result == "parked"
    (parked, reason), = rig.queue.parked
    assert parked.attempt == len(BACKOFF_SECONDS) + 1 and reason == "http_status"
    api.faults.append(HelpdeskFault("http_status", status=401, retryable=False))
    assert rig.outbound.attempt(SyncJob(change=parked.change)) == "parked" and len(rig.queue.parked) == 2


def test_a_change_before_its_ticket_exists_there_waits():
    rig = HelpdeskRig()
    rig.configure(Vendor.ZENDESK)
    ticket_id = rig.open()
    rig.replies.post(TENANT, ticket_id, AGENT, "Hello")
    assert rig.outbound.on_event(rig.event(ticket_id)).results == {"zendesk": "retry_queued"}
    assert rig.queue.queued[0][1] == BACKOFF_SECONDS[0]
