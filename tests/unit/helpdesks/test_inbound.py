"""Inbound sync on fakes: verified first, their agents' replies, statuses and assignees onto our
ticket, echoes dropped, conflicts by source time with both versions on the audit chain."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from aftersales.core.clock import iso
from aftersales.core.errors import Unauthorized
from aftersales.helpdesks import domain
from aftersales.helpdesks.model import InboundChange, InboundComment, Vendor
from aftersales.helpdesks.verification import zendesk_signature
from aftersales.tickets.model import Status
from tests.support.helpdesks import FRESHDESK, TENANT, ZENDESK_SECRET, HelpdeskRig
from tests.support.ticket_factories import AGENT, SYSTEM


def _linked(rig: HelpdeskRig) -> tuple[str, str]:
    rig.configure(Vendor.ZENDESK)
    ticket_id = rig.open()
    rig.outbound.on_event(rig.event(ticket_id))
    return ticket_id, rig.links.get(TENANT, ticket_id, Vendor.ZENDESK).external_id


def _zendesk(rig, kind: str, external_id: str, ticket_id: str, event: dict, *, event_id="ev-1", actor="3001",
             minutes=0):
    body = json.dumps({"type": f"zen:event-type:ticket.{kind}", "account_id": 1, "id": event_id,
                       "time": iso(rig.clock.now() + timedelta(minutes=minutes)), "zendesk_event_version": "2022-06-20",
                       "subject": f"zen:ticket:{external_id}",
                       "detail": {"id": external_id, "external_id": ticket_id, "actor_id": actor},
                       "event": event}).encode()
    stamp = iso(rig.clock.now())
    headers = {"X-Zendesk-Webhook-Signature": zendesk_signature(ZENDESK_SECRET, stamp, body),
               "X-Zendesk-Webhook-Signature-Timestamp": stamp}
    return rig.inbound.receive(Vendor.ZENDESK, TENANT, headers, {}, body)


def _comment(cid: str, body="Your parcel is on its way", public=True) -> dict:
    return {"comment": {"id": cid, "body": body, "is_public": public,
                        "author": {"id": "3001", "is_staff": True, "name": "Agent Smith"}}}


def test_an_agents_public_reply_lands_on_our_conversation_marked_with_its_author_once():
    rig = HelpdeskRig()
    ticket_id, external_id = _linked(rig)
    outcome = _zendesk(rig, "comment_added", external_id, ticket_id, _comment("c-9"))
    assert (outcome.result, outcome.comments) == ("applied", 1)
    (item,) = rig.messages.list(TENANT, ticket_id)
    assert (item.channel, item.author, item.external_id) == ("zendesk", "zendesk:3001", "c-9")
    assert item.data == {"origin": "zendesk", "author_name": "Agent Smith"}
    assert rig.audit_events(ticket_id)[-1] == domain.HELPDESK_REPLIED
    # THEN the same delivery again is a duplicate; the same comment in a new delivery adds nothing
    assert _zendesk(rig, "comment_added", external_id, ticket_id, _comment("c-9")).result == "duplicate"
    assert _zendesk(rig, "comment_added", external_id, ticket_id, _comment("c-9"), event_id="ev-2").comments == 0
    assert len(rig.messages) == 1
    # AND the audit entry it wrote is never planned back to Zendesk
    assert domain.plan(rig.event(ticket_id), Vendor.ZENDESK) is None


def test_the_webhook_echo_of_our_own_comment_is_dropped():
    rig = HelpdeskRig()
    ticket_id, external_id = _linked(rig)
    rig.replies.post(TENANT, ticket_id, AGENT, "We are on it")
    rig.outbound.on_event(rig.event(ticket_id))
    (ours,) = rig.links.get(TENANT, ticket_id, Vendor.ZENDESK).sent_comment_ids
    outcome = _zendesk(rig, "comment_added", external_id, ticket_id, _comment(ours, "We are on it"))
    assert (outcome.comments, outcome.echoes) == (0, 1) and len(rig.messages) == 1


def test_a_private_note_there_stays_there():
    rig = HelpdeskRig()
    ticket_id, external_id = _linked(rig)
    assert _zendesk(rig, "comment_added", external_id, ticket_id, _comment("c-1", public=False)).comments == 0
    assert len(rig.messages) == 0


def test_a_later_status_from_a_mapped_agent_applies_with_both_versions_on_the_chain():
    rig = HelpdeskRig()
    ticket_id, external_id = _linked(rig)
    rig.tickets.transition(TENANT, ticket_id, Status.INVESTIGATING, SYSTEM)
    outcome = _zendesk(rig, "status_changed", external_id, ticket_id, {"current": "solved", "previous": "open"},
                       minutes=1)
    assert outcome.status == "applied"
    entry = rig.ticket_store.audit_entries(TENANT, ticket_id)[-1]
    assert (entry.to_status, entry.actor_id) == ("resolved", "agent-1")
    assert entry.data["origin"] == "zendesk" and entry.data["theirs"]["status"] == "solved"
    assert entry.data["replaced"]["status"] == "investigating"
    assert domain.plan(rig.event(ticket_id), Vendor.ZENDESK) is None  # no echo


def test_an_older_status_loses_to_ours_and_the_conflict_is_recorded():
    rig = HelpdeskRig()
    ticket_id, external_id = _linked(rig)
    outcome = _zendesk(rig, "status_changed", external_id, ticket_id, {"current": "pending"}, minutes=-5)
    assert outcome.status == "conflict_ours"
    entry = rig.ticket_store.audit_entries(TENANT, ticket_id)[-1]
    assert entry.event == domain.HELPDESK_CONFLICT and entry.data["winner"] == "ours"
    assert entry.data["ours"]["status"] == "submitted" and entry.data["theirs"]["status"] == "pending"
    assert rig.tickets.get(TENANT, ticket_id, SYSTEM).status is Status.SUBMITTED


def test_a_status_our_rules_refuse_is_recorded_not_applied():
    rig = HelpdeskRig()
    ticket_id, external_id = _linked(rig)  # submitted: a complaint cannot jump to resolved
    outcome = _zendesk(rig, "status_changed", external_id, ticket_id, {"current": "solved"}, minutes=1)
    assert outcome.status == "not_applied"
    assert rig.audit_events(ticket_id)[-1] == domain.HELPDESK_STATUS_REFUSED


def test_a_mapped_assignee_is_assigned_and_an_unmapped_one_recorded():
    rig = HelpdeskRig()
    ticket_id, external_id = _linked(rig)
    assert _zendesk(rig, "agent_assignment_changed", external_id, ticket_id, {"current": {"id": "3001"}}
                    ).assignee == "assigned"
    assert rig.tickets.get(TENANT, ticket_id, SYSTEM).assignee_id == "agent-1"
    assert _zendesk(rig, "agent_assignment_changed", external_id, ticket_id, {"current": {"id": "4004"}},
                    event_id="ev-2").assignee == "recorded"
    entry = rig.ticket_store.audit_entries(TENANT, ticket_id)[-1]
    assert entry.event == domain.HELPDESK_ASSIGNEE and entry.data["assignee_id"] == "4004"


def test_a_bad_or_stale_signature_is_refused_before_anything_is_stored():
    rig = HelpdeskRig()
    _linked(rig)
    body = json.dumps({"type": "zen:event-type:ticket.comment_added", "id": "ev-x"}).encode()
    stamp = iso(rig.clock.now())
    with pytest.raises(Unauthorized):
        rig.inbound.receive(Vendor.ZENDESK, TENANT, {"X-Zendesk-Webhook-Signature": "AAAA",
                                                     "X-Zendesk-Webhook-Signature-Timestamp": stamp}, {}, body)
    old = iso(rig.clock.now() - timedelta(minutes=6))
    with pytest.raises(Unauthorized):
        rig.inbound.receive(Vendor.ZENDESK, TENANT, {
            "X-Zendesk-Webhook-Signature": zendesk_signature(ZENDESK_SECRET, old, body),
            "X-Zendesk-Webhook-Signature-Timestamp": old}, {}, body)
    with pytest.raises(Unauthorized):  # a tenant without Zendesk answers the same
        rig.inbound.receive(Vendor.ZENDESK, "other", {}, {}, body)
    assert not rig.links.markers - {m for m in rig.links.markers if m[1] == "out"} and len(rig.messages) == 0


def test_freshdesk_needs_the_tenants_token_and_reads_the_ticket_back():
    rig = HelpdeskRig()
    rig.configure(Vendor.FRESHDESK)
    ticket_id = rig.open()
    rig.outbound.on_event(rig.event(ticket_id))
    external_id = rig.links.get(TENANT, ticket_id, Vendor.FRESHDESK).external_id
    body = json.dumps({"freshdesk_ticket_id": int(external_id)}).encode()
    with pytest.raises(Unauthorized):
        rig.inbound.receive(Vendor.FRESHDESK, TENANT, {}, {"token": "wrong-token-0123456789"}, body)
    api = rig.apis.apis[Vendor.FRESHDESK]
    assert "read" not in api
    api.changes[external_id] = InboundChange(
        vendor=Vendor.FRESHDESK, external_id=external_id, source_at=rig.clock.now() + timedelta(minutes=1),
        comments=[InboundComment(comment_id="7", body="Refund approved", public=True, author_id="55",
                                 at=rig.clock.now())])
    outcome = rig.inbound.receive(Vendor.FRESHDESK, TENANT, {"X-Aftersales-Token": FRESHDESK["webhook_secret"]}, {},
                                  body)
    assert outcome.comments == 1 and rig.messages.list(TENANT, ticket_id)[0].author == "freshdesk:55"


def test_freshdesk_unreachable_while_reading_the_ticket_is_a_503_and_nothing_is_stored():
    from aftersales.core.errors import Unavailable
    from aftersales.helpdesks.ports import HelpdeskFault

    rig = HelpdeskRig()
    rig.configure(Vendor.FRESHDESK)
    rig.apis.apis[Vendor.FRESHDESK].faults.append(HelpdeskFault("connection"))
    with pytest.raises(Unavailable):
        rig.inbound.receive(Vendor.FRESHDESK, TENANT, {}, {"token": FRESHDESK["webhook_secret"]},
                            b'{"freshdesk_ticket_id": 7}')
    assert len(rig.messages) == 0 and len(rig.links) == 0


def test_a_change_for_a_ticket_we_never_linked_is_answered_and_ignored():
    rig = HelpdeskRig()
    rig.configure(Vendor.ZENDESK)
    outcome = _zendesk(rig, "comment_added", "999", "tkt_unknown", _comment("c-1"))
    assert outcome.result == "unknown_ticket" and len(rig.messages) == 0


def test_their_status_that_already_says_what_ours_means_is_no_change():
    """GIVEN our ticket cancelled (Zendesk shows it closed) WHEN their trigger echoes "closed" back
    THEN nothing is tried or noted: closed there is what cancelled here means (the local-stack
    money-path walk found a refunded ticket noted as 'status not applied' for its own "solved")."""
    rig = HelpdeskRig()
    ticket_id, external_id = _linked(rig)
    rig.tickets.transition(TENANT, ticket_id, Status.CANCELLED, SYSTEM)
    before = rig.audit_events(ticket_id)
    outcome = _zendesk(rig, "status_changed", external_id, ticket_id, {"current": "closed"}, minutes=1)
    assert outcome.status == "unchanged" and rig.audit_events(ticket_id) == before
