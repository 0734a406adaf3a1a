"""Douyin: the push is verified, kept and queued (DouyinPush); the worker files each message once
(DouyinIntake): creates open or join the order's ticket, stage changes walk it, what does not fit
is parked. Pushes are Douyin's recorded event samples, re-keyed to our orders."""

from __future__ import annotations

import json

import pytest

from aftersales.channels.douyin import push_id, push_signature
from aftersales.core.errors import DomainError
from aftersales.logistics.verification import VerificationError
from aftersales.orders.domain import Order
from aftersales.tickets.model import Status
from tests.support.channels_fakes import ChannelRig, FakeExternalRefs
from tests.support.fixture_files import load
from tests.support.ticket_factories import SYSTEM
from tests.support.tickets import order_payload

APP_KEY, APP_SECRET = "7000000000000000003", "douyin-unit-secret"


def message(sample: str, tag: int, msg_id: str, order_id: str = "O-1", aftersale_id: str = "AS-1", **data) -> dict:
    recorded = load(f"douyin/event_samples/{sample}.json")
    recorded["data"].update({"p_id": order_id, "s_id": "L1", "aftersale_id": aftersale_id, "aftersale_type": 0,
                             **data})
    return recorded | {"tag": tag, "msgId": msg_id}


def push(*messages: dict) -> tuple[dict, bytes]:
    body = json.dumps(list(messages)).encode()
    return {"event-sign": push_signature(APP_KEY, body, APP_SECRET)}, body


def file_all(rig, headers: dict, body: bytes) -> list:
    """What the push queued, filed by the worker in queue order."""
    rig.douyin_push.receive("acme", headers, body)
    results = []
    for tenant_id, pushed, msg_ids in rig.douyin_queue.messages:
        results += rig.douyin.file(tenant_id, pushed, msg_ids)
    rig.douyin_queue.messages.clear()
    return results


@pytest.fixture
def douyin(rig):
    rig.settings.put("acme", "channel:douyin", {"app_key": APP_KEY, "app_secret": APP_SECRET})
    return rig


def test_a_push_is_kept_and_queued_per_after_sale_once(douyin):
    headers, body = push(message("RefundCreatedEvent", 200, "m-1"), message("RefundCreatedEvent", 200, "m-2",
                                                                            aftersale_id="AS-2"),
                         message("RefundReturnAgreedEvent", 202, "m-3"))
    results = douyin.douyin_push.receive("acme", headers, body)
    assert [r.outcome for r in results] == ["queued"] * 3 and push_id(body) in douyin.bodies
    assert [ids for _, _, ids in douyin.douyin_queue.messages] == [["m-1", "m-3"], ["m-2"]]
    assert len(douyin.ticket_store) == 0  # nothing filed before the answer
    # WHEN Douyin pushes the same bytes again THEN duplicates, queued once
    assert {r.outcome for r in douyin.douyin_push.receive("acme", headers, body)} == {"duplicate"}
    assert len(douyin.douyin_queue) == 2


def test_a_push_that_is_not_signed_by_the_app_or_not_configured_is_refused(rig):
    headers, body = push(message("RefundCreatedEvent", 200, "m-1"))
    with pytest.raises(VerificationError):
        rig.douyin_push.receive("acme", headers, body)  # no settings
    rig.settings.put("acme", "channel:douyin", {"app_key": APP_KEY, "app_secret": "another-secret"})
    with pytest.raises(VerificationError):
        rig.douyin_push.receive("acme", headers, body)
    assert len(rig.bodies) == 0 and len(rig.douyin_queue) == 0


def test_a_push_that_cannot_be_queued_forgets_its_body_so_the_re_push_is_queued(douyin):
    headers, body = push(message("RefundCreatedEvent", 200, "m-1"))
    douyin.douyin_queue.refusing = True
    with pytest.raises(DomainError) as failed:
        douyin.douyin_push.receive("acme", headers, body)
    assert failed.value.message_id == "error.event_publish_failed" and len(douyin.bodies) == 0
    douyin.douyin_queue.refusing = False
    assert [r.outcome for r in douyin.douyin_push.receive("acme", headers, body)] == ["queued"]


def test_a_create_opens_the_ticket_and_stage_changes_walk_it(douyin):
    results = file_all(douyin, *push(message("RefundCreatedEvent", 200, "m-1"),
                                     message("RefundReturnAgreedEvent", 202, "m-2"),
                                     message("RefundBuyerReturnGoodsEvent", 203, "m-3")))
    assert [r.outcome for r in results] == ["created", "transitioned", "transitioned"]
    ticket_id = results[0].ticket_id
    assert douyin.keys.lookup("acme", "DYAS#AS-1") == ticket_id
    assert douyin.refs.external_ref("acme", ticket_id, "douyin") == {"aftersale_id": "AS-1",
                                                                     "kind": "return_and_refund"}
    assert douyin.tickets.get("acme", ticket_id, SYSTEM).status is Status.RETURN_IN_TRANSIT
    entries = douyin.ticket_store.audit_entries("acme", ticket_id)
    assert {e.reason for e in entries[1:]} == {"douyin_return_approved", "douyin_return_in_transit"}


def test_each_message_is_filed_once_and_an_expired_body_files_nothing(douyin):
    headers, body = push(message("RefundCreatedEvent", 200, "m-1"))
    file_all(douyin, headers, body)
    assert [r.outcome for r in douyin.douyin.file("acme", push_id(body), ["m-1", "m-unknown"])] == [
        "duplicate", "duplicate"]
    assert [(r.outcome, r.detail) for r in douyin.douyin.file("acme", "gone", ["m-9"])] == [("ignored", "expired")]


def test_events_for_an_order_we_do_not_know_wait_for_it(douyin):
    # GIVEN a create and a stage change for an order not pushed yet: both parked under the order
    results = file_all(douyin, *push(message("RefundCreatedEvent", 200, "m-1", order_id="O-LATE"),
                                     message("RefundReturnAgreedEvent", 202, "m-2", order_id="O-LATE")))
    assert [(r.outcome, r.detail) for r in results] == [("parked", "unknown order"), ("parked", "unknown after-sale")]
    assert len(douyin.items) == 2
    # WHEN the order arrives THEN both are filed in order and leave the inbox
    douyin.tickets.upsert_order("acme", Order.model_validate(order_payload("O-LATE", "cust-2")))
    replayed = douyin.arrivals.order_arrived("acme", "O-LATE")
    assert [(r.outcome, r.detail) for r in replayed] == [("created", "replayed"), ("transitioned", "replayed")]
    assert len(douyin.items) == 0 and douyin.tickets.get("acme", replayed[0].ticket_id, SYSTEM).status is (
        Status.AWAITING_RETURN)


def test_a_stage_change_that_overtook_its_create_is_applied_after_it(douyin):
    assert file_all(douyin, *push(message("RefundReturnAgreedEvent", 202, "m-2")))[0].outcome == "parked"
    (created,) = file_all(douyin, *push(message("RefundCreatedEvent", 200, "m-1")))
    assert douyin.tickets.get("acme", created.ticket_id, SYSTEM).status is Status.AWAITING_RETURN
    assert len(douyin.items) == 0


def test_a_message_our_rules_refuse_is_parked_for_an_agent_not_retried(douyin):
    (result,) = file_all(douyin, *push(message("RefundCreatedEvent", 200, "m-1", s_id="L9")))
    assert (result.outcome, result.detail) == ("parked", "error.lines_required")  # s_id names no line of O-1
    assert ("acme", "douyin", "m-1") in douyin.markers and len(douyin.items) == 1
    # a replay when the order's other messages arrive leaves it parked (it still does not fit)
    assert douyin.douyin.replay_order("acme", "O-1") == [] and len(douyin.items) == 1


class _RefsDown(FakeExternalRefs):
    def put_external_ref(self, *args, **kwargs) -> None:
        raise ConnectionError("table unavailable")


def test_any_other_failure_forgets_the_message_so_the_queue_retries_it():
    rig = ChannelRig(refs=_RefsDown())
    rig.tickets.upsert_order("acme", Order.model_validate(order_payload("O-1", "cust-1")))
    rig.settings.put("acme", "channel:douyin", {"app_key": APP_KEY, "app_secret": APP_SECRET})
    headers, body = push(message("RefundCreatedEvent", 200, "m-1"))
    rig.douyin_push.receive("acme", headers, body)
    with pytest.raises(ConnectionError):
        rig.douyin.file("acme", push_id(body), ["m-1"])
    assert ("acme", "douyin", "m-1") not in rig.markers


def test_a_refund_douyin_paid_settles_our_grant_instead_of_walking_the_ticket(douyin):
    (created,) = file_all(douyin, *push(message("RefundCreatedEvent", 200, "m-1")))
    douyin.platform_refunds.waiting = True
    (refunded,) = file_all(douyin, *push(message("RefundSuccessEvent", 206, "m-2")))
    assert (refunded.outcome, refunded.detail) == ("transitioned", "refund settled by douyin")
    assert created.ticket_id in douyin.platform_refunds


def test_a_stage_with_no_automatic_route_is_a_comment_for_an_agent(douyin):
    (created,) = file_all(douyin, *push(message("RefundCreatedEvent", 200, "m-1")))
    (refused,) = file_all(douyin, *push(message("RefundRefusedEvent", 204, "m-2")))
    (again,) = file_all(douyin, *push(message("RefundRefusedEvent", 204, "m-3")))
    assert refused.outcome == "transitioned"
    assert (again.outcome, again.detail) == ("commented", "already_there")
    assert douyin.conversation(created.ticket_id)[-1].data == {"tag": "204", "reason": "already_there",
                                                               "needs_agent": False}
